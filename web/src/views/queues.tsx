// Queues: task counts per queue × status, whether each queue is paused (and why), and the pause and
// unpause actions. Live: read again when task statuses or pauses change.
import { useState } from "preact/hooks";
import { api } from "../api.ts";
import { Action, ErrorNote, Section } from "../components/bits.tsx";
import { ago, count, words } from "../format.ts";
import { useResource } from "../hooks.ts";

const STATUSES = [
  "pending",
  "queued",
  "running",
  "interrupted",
  "failed",
  "cancel_requested",
  "completed",
  "handed_off",
  "dead_lettered",
  "cancelled",
];

export function QueuesView() {
  const q = useResource(
    api.queues,
    (e) =>
      e.type.startsWith("task.") ||
      e.type === "validation.failed" ||
      e.type.startsWith("queue.") ||
      e.type.startsWith("system."),
    [],
    1000,
  );
  const d = q.data;
  return (
    <Section title="Queues" extra={d?.stopped ? <span class="chip poor">system stopped</span> : null}>
      <ErrorNote error={q.error} />
      {d ? (
        <table class="list" data-testid="queues">
          <thead>
            <tr>
              <th>queue</th>
              <th>state</th>
              {STATUSES.map((s) => (
                <th key={s}>{words(s)}</th>
              ))}
              <th />
            </tr>
          </thead>
          <tbody>
            {Object.entries(d.queues).map(([name, counts]) => (
              <tr key={name} data-queue={name}>
                <td class="mono">{name}</td>
                <td>
                  {d.paused[name] ? (
                    <span class="chip fair" data-testid={`paused-${name}`}>
                      paused: {d.paused[name]?.reason} ({ago(d.paused[name]?.since)})
                    </span>
                  ) : (
                    <span class="chip good">serving</span>
                  )}
                </td>
                {STATUSES.map((s) => (
                  <td key={s} class="num">
                    {counts[s] ? count(counts[s] ?? 0) : <span class="muted">0</span>}
                  </td>
                ))}
                <td>
                  <PauseControl queue={name} paused={Boolean(d.paused[name])} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">Loading…</p>
      )}
    </Section>
  );
}

function PauseControl({ queue, paused }: { queue: string; paused: boolean }) {
  const [reason, setReason] = useState("");
  if (paused)
    return (
      <Action label="Unpause" kind="primary" testId={`unpause-${queue}`} run={() => api.unpause(queue)} />
    );
  return (
    <span class="inline">
      <input
        aria-label={`reason to pause ${queue}`}
        placeholder="reason"
        value={reason}
        onInput={(e) => setReason(e.currentTarget.value)}
      />
      <Action
        label="Pause"
        testId={`pause-${queue}`}
        run={async () => {
          await api.pause(queue, reason.trim() || "paused from the dashboard");
          setReason("");
        }}
      />
    </span>
  );
}
