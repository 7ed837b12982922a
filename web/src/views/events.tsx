// The live event feed: the newest events of the stream as they arrive (the feed keeps the last few
// hundred), filterable by type or id, and pausable to read.
import { Component } from "preact";
import { useState } from "preact/hooks";
import { Section } from "../components/bits.tsx";
import { clock } from "../format.ts";
import { useLiveTick } from "../hooks.ts";
import { type LiveEvent, live, RECENT } from "../live.ts";
import { href } from "../router.ts";

const SHOWN = 100;

/** A short description of an event (its values as text). */
export function summary(e: LiveEvent): string {
  const d = e.data as Record<string, unknown>;
  switch (e.type) {
    case "task.created":
      // A v2 task.created queued the task too (no task.queued follows).
      return `${e.data.task_type} in ${e.data.queue}, iteration ${e.data.iteration}, ${e.data.model}${e.data.queued ? ", queued" : ""}`;
    case "task.started":
      return `attempt ${e.data.attempt} on ${e.data.worker_id} (${e.data.model})`;
    case "task.completed":
    case "task.handoff_requested":
      return `${e.data.output_bytes} bytes in ${e.data.duration_ms} ms · ${e.data.model}`;
    case "task.failed":
      return `attempt ${e.data.attempt}: ${e.data.reason}: ${e.data.error}`;
    case "critique.recorded":
      return `C ${e.data.compliance} U ${e.data.uniqueness} Q ${e.data.quality}${e.data.passed ? " passed" : ""}`;
    case "system.stopped":
    case "system.resumed":
      return e.data.reason;
    default:
      return JSON.stringify(d).slice(0, 160);
  }
}

export function EventsView() {
  useLiveTick(500);
  const [paused, setPaused] = useState<LiveEvent[] | null>(null);
  const [filter, setFilter] = useState("");
  const source = paused ?? live.recent;
  const f = filter.trim().toLowerCase();
  const shown: LiveEvent[] = [];
  for (let i = source.length - 1; i >= 0 && shown.length < SHOWN; i--) {
    const e = source[i];
    if (!e) continue;
    if (
      f &&
      !e.type.includes(f) &&
      !(e.job_id ?? "").toLowerCase().includes(f) &&
      !(e.task_id ?? "").toLowerCase().includes(f)
    )
      continue;
    shown.push(e);
  }
  return (
    <Section
      title="Live events"
      extra={
        <span class="inline">
          <input
            aria-label="filter events"
            placeholder="type or id"
            value={filter}
            onInput={(e) => setFilter(e.currentTarget.value)}
            data-testid="events-filter"
          />
          <button type="button" class="btn plain" onClick={() => setPaused(paused ? null : [...live.recent])}>
            {paused ? "Follow live" : "Pause"}
          </button>
          <span class="muted">newest first · keeps the last {RECENT}</span>
        </span>
      }
    >
      <table class="list feed" data-testid="events">
        <thead>
          <tr>
            <th>seq</th>
            <th>time</th>
            <th>event</th>
            <th>job / task</th>
            <th>what</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((e) => (
            <FeedRow key={e.seq} e={e} />
          ))}
        </tbody>
      </table>
      {shown.length === 0 ? <p class="muted">No events yet: they appear here as they happen.</p> : null}
    </Section>
  );
}

/** One row: an event never changes, so a row renders once however often the feed does. */
class FeedRow extends Component<{ e: LiveEvent }> {
  override shouldComponentUpdate(next: { e: LiveEvent }): boolean {
    return next.e !== this.props.e;
  }

  override render() {
    const { e } = this.props;
    return (
      <tr data-type={e.type}>
        <td class="num mono">{e.seq}</td>
        <td title={e.occurred_at}>{clock(e.occurred_at)}</td>
        <td class="mono">{e.type}</td>
        <td class="mono">
          {e.task_id ? (
            <a href={href.task(e.task_id)}>{e.task_id}</a>
          ) : e.job_id ? (
            <a href={href.job(e.job_id)}>{e.job_id}</a>
          ) : (
            "–"
          )}
        </td>
        <td class="detail">{summary(e)}</td>
      </tr>
    );
  }
}
