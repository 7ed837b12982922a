// Small pieces every view uses: status badges, progress bars, score chips, errors, buttons.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { ApiError, JobSummary } from "../api.ts";
import { words } from "../format.ts";

/** A status as a coloured label. */
export function Badge({ status }: { status: string }) {
  return <span class={`badge s-${status}`}>{words(status)}</span>;
}

/** How many of a job's iterations ended, out of how many (infinite jobs have no end to fill to). */
export function jobProgress(j: JobSummary): { ended: number; total: number | null } {
  const ended = j.iterations.passed + j.iterations.exhausted + j.iterations.failed + j.iterations.cancelled;
  const total = j.infinite ? null : (j.count ?? j.iterations_planned);
  return { ended, total };
}

/** A job's progress bar: iterations ended of those asked for; striped when infinite. */
export function JobBar({ job }: { job: JobSummary }) {
  const { ended, total } = jobProgress(job);
  const pct = total ? Math.min(100, (ended / total) * 100) : 0;
  const label = total === null ? `${ended} ended · ∞` : `${ended}/${total}`;
  return (
    <span class="bar-wrap" title={label}>
      <span class={`bar ${total === null ? "bar-infinite" : ""} bar-${job.status}`}>
        <span class="bar-fill" style={{ width: `${pct}%` }} />
      </span>
      <span class="bar-label">{label}</span>
    </span>
  );
}

/** Compliance / uniqueness / quality as chips. */
export function Scores(p: { compliance: number; uniqueness: number; quality: number; passed?: boolean }) {
  const cls = (n: number) => (n >= 8 ? "good" : n >= 6 ? "fair" : "poor");
  // Critiques score in integers; averages get one decimal.
  const score = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
  return (
    <span class="scores" title="compliance / uniqueness / quality">
      <span class={`chip ${cls(p.compliance)}`}>C {score(p.compliance)}</span>
      <span class={`chip ${cls(p.uniqueness)}`}>U {score(p.uniqueness)}</span>
      <span class={`chip ${cls(p.quality)}`}>Q {score(p.quality)}</span>
      {p.passed === undefined ? null : p.passed ? (
        <span class="chip good">passed</span>
      ) : (
        <span class="chip poor">not passed</span>
      )}
    </span>
  );
}

/** An API error as the page shows it: the gateway's message and the fields at fault. */
export function ErrorNote({ error }: { error: ApiError | undefined }) {
  if (!error) return null;
  return (
    <div class="error" role="alert">
      <strong>{error.code}</strong> {error.message}
      {error.fields.length > 0 ? (
        <ul>
          {error.fields.map((f) => (
            <li key={f.path}>
              <code>{f.path || "(body)"}</code>: {f.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** A button that runs an action once at a time and shows its error. */
export function Action(p: {
  label: string;
  busyLabel?: string;
  run: () => Promise<unknown>;
  kind?: "danger" | "primary" | "plain";
  testId?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  return (
    <span class="action">
      <button
        type="button"
        class={`btn ${p.kind ?? "plain"}`}
        data-testid={p.testId}
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(undefined);
          try {
            await p.run();
          } catch (err) {
            setError(err as ApiError);
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? (p.busyLabel ?? "…") : p.label}
      </button>
      <ErrorNote error={error} />
    </span>
  );
}

/** A titled block of a page. */
export function Section(p: {
  title: string;
  children: ComponentChildren;
  extra?: ComponentChildren;
  id?: string;
}) {
  return (
    <section class="section" id={p.id}>
      <h2>
        {p.title}
        {p.extra ? <span class="extra">{p.extra}</span> : null}
      </h2>
      {p.children}
    </section>
  );
}

/** Untrusted text (agent output, specs, critiques): always a text node, never HTML. */
export function Text({ text, testId }: { text: string | null | undefined; testId?: string }) {
  if (text === null || text === undefined) return <p class="muted">(none)</p>;
  return (
    <pre class="text" data-testid={testId}>
      {text}
    </pre>
  );
}

/** Key/value facts in a grid. */
export function Facts({ rows }: { rows: Array<[string, ComponentChildren]> }) {
  return (
    <dl class="facts">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
