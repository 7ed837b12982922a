// A job's page: its spec and numbers, quality and cost per iteration, and the iterations (newest
// first) with their tasks and critiques. Live: an event of this job marks its iteration to read
// again; an event of a task the page does not know (a new wave) reads the newest iterations again.
import { Component } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { type ApiError, api, type IterationView, type JobSummary, type TaskView } from "../api.ts";
import { Action, Badge, ErrorNote, Facts, JobBar, Scores, Section, Text } from "../components/bits.tsx";
import { Chart, colour } from "../components/chart.tsx";
import { ago, count, tokens, usd, when, words } from "../format.ts";
import { asApiError } from "../hooks.ts";
import { type LiveEvent, live } from "../live.ts";
import { href } from "../router.ts";

const PAGE = 20;
const REFRESH_MS = 500;
/** Iterations one refresh asks for (the route takes up to 100). */
const MAX_PICK = 100;
const ENDED = new Set(["completed", "cancelled", "rejected"]);

type State = {
  job: JobSummary | null;
  iterations: Map<number, IterationView>;
  /** How many of the newest iterations the page shows. */
  shown: number;
  missing: boolean;
};

/** The iteration an event concerns, when it says so itself. */
function iterationOf(e: LiveEvent): number | undefined {
  switch (e.type) {
    case "critique.recorded":
    case "critique.unparseable":
    case "job.iteration_ended":
    case "task.created":
      return e.data.iteration;
    default:
      return undefined;
  }
}

export function JobView({ id }: { id: string }) {
  const [state, setState] = useState<State>({
    job: null,
    iterations: new Map(),
    shown: PAGE,
    missing: false,
  });
  const [error, setError] = useState<ApiError>();
  const known = useRef(new Map<string, number>());
  // The window the page shows: the newest `shown` of `planned` iterations (read in the callbacks).
  const win = useRef({ shown: PAGE, planned: 0 });
  const st = useRef({
    dirty: new Map<number, number>(),
    fresh: 0,
    /** Checkpoint of the last read of the newest page: it reflects the job and its window. */
    checkpoint: 0,
    /** Checkpoint of the last read of each iteration read alone. */
    readAt: new Map<number, number>(),
    timer: 0 as unknown,
    busy: false,
  });

  /** Lowest iteration in the window. */
  const low = () => Math.max(1, win.current.planned - win.current.shown + 1);

  // Add read iterations and keep only the window: older ones slide out as new ones arrive.
  const merge = (job: JobSummary, its: IterationView[]) => {
    win.current.planned = Math.max(win.current.planned, job.iterations_planned);
    const bottom = low();
    for (const it of its) for (const t of it.tasks) known.current.set(t.task_id, it.iteration);
    setState((old) => {
      const iterations = new Map(old.iterations);
      for (const it of its) iterations.set(it.iteration, it);
      for (const n of iterations.keys()) if (n < bottom) iterations.delete(n);
      return { job, iterations, shown: win.current.shown, missing: false };
    });
  };

  useEffect(() => {
    let alive = true;
    const s = st.current;
    s.dirty.clear();
    s.fresh = 0;
    s.checkpoint = 0;
    s.readAt.clear();
    known.current.clear();
    win.current = { shown: PAGE, planned: 0 };
    setState({ job: null, iterations: new Map(), shown: PAGE, missing: false });
    setError(undefined);

    const first = async () => {
      // Ask the list first: a job not accepted yet is an empty list, not an error.
      const listed = await api.jobs({ ids: id, limit: 1 });
      if (!listed.items[0]) {
        s.checkpoint = Math.max(s.checkpoint, listed.checkpoint);
        if (alive) setState((o) => ({ ...o, missing: true }));
        return false;
      }
      const page = await api.iterations(id, { limit: PAGE });
      if (!alive) return true;
      s.checkpoint = Math.max(s.checkpoint, page.checkpoint);
      merge(page.job, page.iterations);
      return true;
    };

    let found = false;
    const refresh = async () => {
      s.timer = 0;
      if (!alive || s.busy) return;
      s.busy = true;
      try {
        if (!found) {
          found = await first();
          return;
        }
        const fresh = s.fresh;
        const dirty = new Map([...s.dirty].filter(([n]) => n >= low()));
        s.fresh = 0;
        s.dirty.clear();
        const picked = [...dirty.keys()].sort((a, b) => b - a).slice(0, MAX_PICK);
        for (const n of [...dirty.keys()].slice(MAX_PICK)) s.dirty.set(n, dirty.get(n) ?? 0);
        if (fresh > 0 || picked.length === 0) {
          const page = await api.iterations(id, { limit: PAGE });
          if (!alive) return;
          merge(page.job, page.iterations);
          // Keep the larger mark: events that came during the read may have raised it.
          if (page.checkpoint < fresh) s.fresh = Math.max(s.fresh, fresh);
          s.checkpoint = Math.max(s.checkpoint, page.checkpoint);
        }
        if (picked.length > 0) {
          const page = await api.iterations(id, { iterations: picked.join(",") });
          if (!alive) return;
          merge(page.job, page.iterations);
          for (const n of picked) {
            const seq = dirty.get(n) ?? 0;
            if (page.checkpoint < seq) s.dirty.set(n, Math.max(seq, s.dirty.get(n) ?? 0));
          }
          for (const n of picked) s.readAt.set(n, Math.max(page.checkpoint, s.readAt.get(n) ?? 0));
        }
      } catch (err) {
        if (alive) setError(asApiError(err));
      } finally {
        s.busy = false;
        if (alive && (s.fresh > 0 || s.dirty.size > 0)) schedule();
      }
    };
    const schedule = () => {
      if (!s.timer) s.timer = setTimeout(() => void refresh(), REFRESH_MS);
    };
    // The first read goes through refresh too, so two reads never race (an older answer landing
    // last would replace newer iterations and lower the checkpoint).
    void refresh();
    const off = live.subscribe((batch) => {
      let any = false;
      for (const e of batch) {
        // Skip only what a read already reflects: a read of one iteration says nothing of another
        // (the feed may bring an event later than the projection applied it).
        if (e.job_id !== id || e.seq <= s.checkpoint) continue;
        const n = iterationOf(e) ?? (e.task_id ? known.current.get(e.task_id) : undefined);
        if (n === undefined || n > win.current.planned) s.fresh = Math.max(s.fresh, e.seq);
        else if (n >= low()) {
          if (e.seq <= (s.readAt.get(n) ?? 0)) continue;
          s.dirty.set(n, Math.max(e.seq, s.dirty.get(n) ?? 0));
        }
        // An event of an iteration below the window changes only the job's numbers.
        else s.fresh = Math.max(s.fresh, e.seq);
        any = true;
      }
      if (any) schedule();
    });
    return () => {
      alive = false;
      off();
      clearTimeout(s.timer as number);
      s.timer = 0;
    };
  }, [id]);

  const older = async () => {
    const bottom = low();
    const numbers: number[] = [];
    for (let n = bottom - 1; n >= 1 && numbers.length < PAGE; n--) numbers.push(n);
    if (numbers.length === 0) return;
    try {
      const page = await api.iterations(id, { iterations: numbers.join(",") });
      win.current.shown += numbers.length;
      merge(page.job, page.iterations);
    } catch (err) {
      setError(asApiError(err));
    }
  };

  const j = state.job;
  if (!j)
    return (
      <div>
        <h1 class="mono">Job {id}</h1>
        <ErrorNote error={error} />
        <p class="muted" data-testid="job-waiting">
          {state.missing
            ? "Not in the projections yet: a job appears once the orchestrator has accepted it (this page follows it live)."
            : "Loading…"}
        </p>
      </div>
    );
  const its = [...state.iterations.values()].sort((a, b) => b.iteration - a.iteration);
  return (
    <div data-testid="job-page" data-status={j.status}>
      <h1>
        <span class="mono">Job {j.job_id}</span> <Badge status={j.status} />
        {ENDED.has(j.status) ? null : (
          <Action
            label="Cancel job"
            kind="danger"
            testId="cancel-job"
            run={() => api.cancel(j.job_id, "cancelled from the dashboard")}
          />
        )}
      </h1>
      <ErrorNote error={error} />
      <Spec job={j} />
      <Facts
        rows={[
          ["iterations", <JobBar key="bar" job={j} />],
          [
            "outcomes",
            `${j.iterations.passed} passed · ${j.iterations.exhausted} exhausted · ${j.iterations.failed} failed · ${j.iterations.cancelled} cancelled`,
          ],
          ["tasks", <TaskCounts key="tasks" progress={j.progress} total={j.tasks_total} />],
          [
            "cost",
            `${usd(j.cost_usd)}${j.budget_usd !== null ? ` of ${usd(j.budget_usd)}` : ""}${j.budget_exceeded ? " (budget spent)" : ""}`,
          ],
          ["tokens", tokens(j.usage)],
          ["quality", j.quality.critiques === 0 ? "no critique yet" : <Scores key="q" {...j.quality} />],
          ["model", j.model ?? "–"],
          [
            "mode",
            j.infinite
              ? `infinite (at most ${j.max_iterations ?? "?"} iterations)`
              : `${j.count} iteration${j.count === 1 ? "" : "s"}`,
          ],
          ["created", `${when(j.created_at)} (${ago(j.created_at)})`],
          ["finished", j.finished_at ? `${when(j.finished_at)}${j.reason ? ` — ${j.reason}` : ""}` : "–"],
        ]}
      />
      <IterationCharts iterations={its} />
      <Section
        title="Iterations"
        extra={
          <span class="muted">
            {count(its.length)} of {count(j.iterations_planned)} shown, newest first
          </span>
        }
      >
        <table class="list" data-testid="iterations">
          <thead>
            <tr>
              <th>#</th>
              <th>outcome</th>
              <th>tasks</th>
              <th>latest critique</th>
              <th>cost</th>
            </tr>
          </thead>
          <tbody>
            {its.map((it) => (
              <IterationRow key={it.iteration} it={it} />
            ))}
          </tbody>
        </table>
        {its.length > 0 && (its.at(-1)?.iteration ?? 1) > 1 ? (
          <button type="button" class="btn plain" onClick={older} data-testid="older-iterations">
            Load older iterations
          </button>
        ) : null}
      </Section>
    </div>
  );
}

function Spec({ job }: { job: JobSummary }) {
  const [whole, setWhole] = useState<string | null>(null);
  const cut = job.spec_chars > (job.spec_excerpt?.length ?? 0);
  return (
    <Section title="Spec">
      <Text text={whole ?? job.spec_excerpt} testId="job-spec" />
      {cut && whole === null ? (
        <Action
          label={`Show all ${count(job.spec_chars)} characters`}
          run={async () => setWhole(await api.jobSpec(job.job_id))}
        />
      ) : null}
    </Section>
  );
}

function TaskCounts({ progress, total }: { progress: Record<string, number>; total: number }) {
  const nonZero = Object.entries(progress).filter(([, n]) => n > 0);
  return (
    <span>
      {total} ·{" "}
      {nonZero.map(([s, n]) => (
        <span key={s} class={`chip s-${s}`}>
          {n} {words(s)}
        </span>
      ))}
    </span>
  );
}

const LETTER: Record<string, string> = { generator: "G", critic: "C", reviser: "R", continuation: "K" };
const CHAIN: Record<string, number> = { generator: 0, continuation: 1, reviser: 2, critic: 3 };

/** An iteration's tasks in the order they ran: each round's writer, then its critic. */
function inChain(tasks: TaskView[]): TaskView[] {
  return [...tasks].sort((a, b) => a.round - b.round || (CHAIN[a.type] ?? 9) - (CHAIN[b.type] ?? 9));
}

function TaskChip({ t, best }: { t: TaskView; best: boolean }) {
  return (
    <a
      href={href.task(t.task_id)}
      class={`task-chip s-${t.status}${best ? " best" : ""}`}
      title={`${t.type} ${t.task_id}: ${words(t.status)}, ${t.attempts} attempt(s), ${t.model}`}
      data-task={t.task_id}
    >
      {LETTER[t.type] ?? "?"}
      {t.round > 0 ? t.round : ""} {words(t.status)}
    </a>
  );
}

/** One iteration; a read replaces its object, so an unchanged row skips rendering. */
class IterationRow extends Component<{ it: IterationView }> {
  override shouldComponentUpdate(next: { it: IterationView }): boolean {
    return next.it !== this.props.it;
  }

  override render() {
    const { it } = this.props;
    const latest = it.critiques[0];
    const cost = it.tasks.reduce((sum, t) => sum + t.cost_usd, 0);
    return (
      <tr data-iteration={it.iteration}>
        <td class="num">{it.iteration}</td>
        <td>{it.outcome ? <Badge status={it.outcome} /> : <span class="muted">open</span>}</td>
        <td class="chips">
          {inChain(it.tasks).map((t) => (
            <TaskChip key={t.task_id} t={t} best={t.task_id === it.best_task_id} />
          ))}
        </td>
        <td>{latest ? <Scores {...latest} /> : <span class="muted">–</span>}</td>
        <td class="num">{usd(cost)}</td>
      </tr>
    );
  }
}

/** Scores and spend per iteration, over the iterations loaded on the page. */
function IterationCharts({ iterations }: { iterations: IterationView[] }) {
  const judged = [...iterations]
    .filter((i) => i.critiques.length > 0)
    .sort((a, b) => a.iteration - b.iteration);
  const all = [...iterations].sort((a, b) => a.iteration - b.iteration);
  if (all.length < 2) return null;
  const x = judged.map((i) => i.iteration);
  const pick = (k: "compliance" | "uniqueness" | "quality") => judged.map((i) => i.critiques[0]?.[k] ?? null);
  return (
    <div class="charts-row">
      {judged.length > 0 ? (
        <Chart
          title="Latest critique per iteration"
          time={false}
          data={[x, pick("quality"), pick("compliance"), pick("uniqueness")]}
          yRange={[0, 10]}
          series={[
            { label: "quality", color: colour(0) },
            { label: "compliance", color: colour(1) },
            { label: "uniqueness", color: colour(2) },
          ]}
          testId="job-quality-chart"
        />
      ) : null}
      <Chart
        title="Cost per iteration (USD)"
        time={false}
        data={[all.map((i) => i.iteration), all.map((i) => i.tasks.reduce((s, t) => s + t.cost_usd, 0))]}
        series={[{ label: "cost", color: colour(3) }]}
        testId="job-cost-chart"
      />
    </div>
  );
}
