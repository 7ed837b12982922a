// A task's page: its whole story from one read: facts, output, critiques, each attempt with the
// exact prompt its agent received, validation, handoff, progress lines, artifacts and the timeline.
// Every text here is agent output or user input and is shown as text.
import type { ComponentChildren } from "preact";
import { api, type TaskStory } from "../api.ts";
import { Action, Badge, ErrorNote, Facts, Scores, Section, Text } from "../components/bits.tsx";
import { count, duration, tokens, usd, when, words } from "../format.ts";
import { useResource } from "../hooks.ts";
import { href } from "../router.ts";

const FINAL = new Set(["completed", "handed_off", "dead_lettered", "cancelled"]);

/** What each reason a task waits for its model means. */
const WAITING: Record<string, string> = {
  held: "held after the provider answered 429",
  concurrency: "at its calls-at-once limit",
  requests: "at its requests-per-window limit",
  tokens: "at its tokens-per-window limit",
  priority: "behind work of a better band",
  budget: "a call in flight already takes it to its day budget",
  day_budget_spent: "its day budget is spent",
};

export function TaskPage({ id }: { id: string }) {
  const story = useResource(
    () => api.story(id),
    (e) =>
      e.task_id === id ||
      (e.type === "critique.recorded" && (e.data.target_task_id === id || e.data.critic_task_id === id)),
    [id],
  );
  const s = story.data;
  if (!s)
    return (
      <div>
        <h1 class="mono">Task {id}</h1>
        <ErrorNote error={story.error} />
        {story.error ? null : <p class="muted">Loading…</p>}
      </div>
    );
  const t = s.task;
  return (
    <div data-testid="task-page" data-status={t.status}>
      <h1>
        <span class="mono">Task {t.task_id}</span> <Badge status={t.status} />
        {FINAL.has(t.status) ? null : (
          <Action
            label="Cancel task"
            kind="danger"
            testId="cancel-task"
            run={() => api.cancel(t.task_id, "cancelled from the dashboard")}
          />
        )}
        {t.status === "dead_lettered" ? (
          // One more attempt (its job re-opens if it had completed); the page follows the task's events.
          <Action
            label="Retry"
            kind="primary"
            testId="retry-task"
            run={() => api.retry(t.task_id, "retried from the dashboard")}
          />
        ) : null}
      </h1>
      <ErrorNote error={story.error} />
      {t.waiting ? (
        // Agent-free text only: the model name is the task's own, the rest is ours.
        <p class="waiting" data-testid="task-waiting">
          Waiting for model {t.waiting.model}: {WAITING[t.waiting.why] ?? t.waiting.why}, until{" "}
          {t.waiting.until} at the latest (since {t.waiting.since})
        </p>
      ) : null}
      <Facts
        rows={[
          [
            "job",
            <a key="job" href={href.job(t.job_id)} class="mono">
              {t.job_id}
            </a>,
          ],
          ["type", `${t.type}${t.round > 0 ? ` (round ${t.round})` : ""}, iteration ${t.iteration}`],
          ["queue", `${t.queue} · ${t.band} band · priority ${t.priority}`],
          ["model", t.model],
          ["executor", t.executor ?? "–"],
          ["worker", t.worker_id ?? "–"],
          ["attempts", String(t.attempts)],
          ["duration", duration(t.duration_ms)],
          ["tokens", tokens(t.usage)],
          ["cost", usd(t.cost_usd)],
          ["created", when(t.created_at)],
          ["started", when(t.started_at)],
          ["finished", when(t.finished_at)],
          ["last error", t.last_error ?? "–"],
          ...(t.target_task_id
            ? ([
                [
                  "judges",
                  <a key="target" href={href.task(t.target_task_id)} class="mono">
                    {t.target_task_id}
                  </a>,
                ],
              ] as Array<[string, ComponentChildren]>)
            : []),
          ...(t.parent_task_id
            ? ([
                [
                  "after",
                  <a key="parent" href={href.task(t.parent_task_id)} class="mono">
                    {t.parent_task_id}
                  </a>,
                ],
              ] as Array<[string, ComponentChildren]>)
            : []),
        ]}
      />
      <Section title="Output" extra={s.output ? <TextSize body={s.output} /> : null}>
        <Text text={s.output?.text ?? null} testId="task-output" />
      </Section>
      {s.remaining_work ? (
        <Section title="Handed off: remaining work">
          <Text text={s.remaining_work} />
        </Section>
      ) : null}
      <Critiques story={s} />
      <Attempts story={s} />
      <Validation story={s} />
      <Progress story={s} />
      <Files story={s} />
      <Artifacts story={s} />
      <Timeline story={s} />
    </div>
  );
}

function TextSize({ body }: { body: { chars: number; truncated: boolean } }) {
  return (
    <span class="muted">
      {count(body.chars)} characters
      {body.truncated ? " (cut here; the whole text is in the outputs bucket)" : ""}
    </span>
  );
}

function Critiques({ story }: { story: TaskStory }) {
  if (story.critiques.length === 0 && story.task.type !== "critic") return null;
  return (
    <Section title="Critiques">
      {story.critiques.length === 0 ? <p class="muted">No critique recorded yet.</p> : null}
      {story.critiques.map((c) => (
        <div key={c.seq} class="critique" data-testid="critique">
          <Scores {...c} />
          {c.near_duplicate ? <span class="chip poor">near-duplicate</span> : null}{" "}
          <span class="muted">
            by {c.model} on{" "}
            <a href={href.task(c.task_id)} class="mono">
              {c.task_id}
            </a>
            , {when(c.occurred_at)}
          </span>
          <Text text={c.critique} testId="critique-text" />
        </div>
      ))}
    </Section>
  );
}

function Attempts({ story }: { story: TaskStory }) {
  return (
    <Section title="Attempts" extra={<span class="muted">the prompt each agent received, exactly</span>}>
      {story.attempts.length === 0 ? (
        <>
          <p class="muted">Not started yet. The prompt as created:</p>
          <Text text={story.prompt.text} testId="created-prompt" />
        </>
      ) : null}
      {story.attempts.map((a) => (
        <div key={`${a.attempt}-${a.started_at}`} class="attempt" data-testid="attempt">
          <p>
            <strong>Attempt {a.attempt}</strong> <Badge status={a.outcome} /> {a.model} on {a.worker_id} via{" "}
            {a.executor}
            {a.reclaimed ? " (reclaimed)" : ""} · {when(a.started_at)} · {duration(a.duration_ms)} ·{" "}
            {tokens(a.usage)} · {usd(a.cost_usd)}
          </p>
          {a.error ? <p class="error-text">{a.error}</p> : null}
          <details>
            <summary>
              Prompt as sent <TextSize body={a.prompt} />
            </summary>
            <Text text={a.prompt.text} testId="attempt-prompt" />
          </details>
        </div>
      ))}
    </Section>
  );
}

function Validation({ story }: { story: TaskStory }) {
  const v = story.validation;
  if (v.specs.length === 0 && v.results.length === 0) return null;
  return (
    <Section title="Validation">
      <ul>
        {v.specs.map((spec, i) => (
          <li key={`${spec.type}-${i}`}>
            <code>{spec.type}</code> {spec.params ? <code>{JSON.stringify(spec.params)}</code> : null}
          </li>
        ))}
      </ul>
      {v.results.map((r) => (
        <div key={`${r.attempt}-${r.passed}`} class="validation">
          <p>
            attempt {r.attempt}:{" "}
            {r.passed ? <span class="chip good">passed</span> : <span class="chip poor">failed</span>}
          </p>
          <ul>
            {r.failures.map((f, i) => (
              <li key={`${f.type}-${i}`}>
                <code>{f.type}</code>: {f.error}
                {f.suggestions.length > 0 ? ` — ${f.suggestions.join("; ")}` : ""}
              </li>
            ))}
          </ul>
          {r.feedback ? (
            <details>
              <summary>feedback for the next attempt</summary>
              <Text text={r.feedback} />
            </details>
          ) : null}
        </div>
      ))}
    </Section>
  );
}

function Progress({ story }: { story: TaskStory }) {
  if (story.progress.length === 0) return null;
  return (
    <Section title="Progress">
      <ol class="progress-lines" data-testid="progress-lines">
        {story.progress.map((p) => (
          <li key={p.at}>
            {when(p.at)} · {duration(p.elapsed_ms)}
            {p.turns !== null ? ` · ${p.turns} turns` : ""}
            {p.output_tokens !== null ? ` · ${p.output_tokens} output tokens` : ""}
            {p.message ? ` · ${p.message}` : ""}
          </li>
        ))}
      </ol>
    </Section>
  );
}

/** The files the agent wrote: names are agent text, shown as text; links download, never render. */
function Files({ story }: { story: TaskStory }) {
  if (story.files.length === 0 && story.files_skipped === 0 && story.permission_denials.length === 0)
    return null;
  return (
    <Section title="Files the agent wrote" extra={<span class="muted">{story.files.length} kept</span>}>
      <ul data-testid="files">
        {story.files.map((f) => (
          <li key={f.name}>
            <a href={f.url} download>
              {f.name}
            </a>{" "}
            <span class="muted">{f.bytes} bytes</span>
          </li>
        ))}
      </ul>
      {story.files_skipped > 0 ? (
        <p class="muted">{story.files_skipped} more left out (over the bounds, or not a regular file)</p>
      ) : null}
      {story.permission_denials.length > 0 ? (
        <p>Tools refused: {story.permission_denials.map((d) => d.tool_name).join(", ")}</p>
      ) : null}
    </Section>
  );
}

function Artifacts({ story }: { story: TaskStory }) {
  if (story.artifacts.length === 0) return null;
  return (
    <Section title="Artifacts">
      <ul>
        {story.artifacts.map((a) => (
          <li key={`${a.kind}-${a.ref}`}>
            {words(a.kind)}: {a.label} <code>{a.ref}</code>
            {a.content ? (
              <details>
                <summary>
                  content <TextSize body={a.content} />
                </summary>
                <Text text={a.content.text} />
              </details>
            ) : null}
          </li>
        ))}
      </ul>
    </Section>
  );
}

/** A one-line description of an event's data (values shown as text). */
function describe(data: Record<string, unknown>): string {
  return Object.entries(data)
    .filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(" · ")
    .slice(0, 400);
}

function Timeline({ story }: { story: TaskStory }) {
  return (
    <Section title="Timeline" extra={<span class="muted">{story.timeline.length} events</span>}>
      <table class="list timeline" data-testid="timeline">
        <tbody>
          {story.timeline.map((e) => (
            <tr key={`${e.seq}-${e.type}`}>
              <td class="num mono">{e.seq}</td>
              <td>{when(e.at)}</td>
              <td class="mono">{e.type}</td>
              <td class="detail">{describe(e.data)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
