// `agents status [ID]`, `agents result ID` and `agents artifact TASK NAME`: read the projections
// (and the workers' statuses, and the object store) through the gateway.
import { writeFile } from "node:fs/promises";
import { loadConfig } from "../../config/index.ts";
import { parseCommand } from "../args.ts";
import { call, download, targetFromConfig } from "../client.ts";
import { Exit, usage } from "../exit.ts";
import { firstLine, printJson, table, usd } from "../format.ts";
import { type JobView, jobLine, type SystemView, systemLines } from "./views.ts";

type Queues = {
  queues: Record<string, Record<string, number>>;
  stopped: boolean;
  stop_reason: string | null;
  stopped_since: string | null;
  paused: Record<string, { reason: string; since: string }>;
};
type Artifact = { name: string; bytes: number; url: string };
type WorkerView = {
  worker_id: string;
  host: string;
  running: number;
  stopped: boolean;
  executors: Array<{
    route: string;
    executor: string;
    available: boolean;
    auth: { state: string; detail: string };
    held_until?: string;
    hold_reason?: string;
  }>;
};
type Health = { status: string; workers?: { live: number; list: WorkerView[]; error?: string } };
type Status = { kind: "job"; job: JobView } | { kind: "task"; task: Record<string, unknown> };

/** The system state first, when it stops or pauses anything. */
function printSystem(s: SystemView | undefined): void {
  for (const line of systemLines(s)) process.stdout.write(`${line}\n`);
}
type Iteration = {
  iteration: number;
  outcome: string;
  task_id: string | null;
  output: string | null;
  artifacts?: Artifact[];
};
type JobResult = {
  kind: "job";
  job: { job_id: string; status: string; iterations: Iteration[]; next_cursor: string | null };
};
type Result =
  | {
      kind: "task";
      task: Record<string, unknown> & {
        output: string | null;
        artifacts?: Artifact[];
        permission_denials?: Array<{ tool_name: string }>;
      };
    }
  | JobResult;

const COLUMNS = [
  "pending",
  "queued",
  "running",
  "interrupted",
  "failed",
  "completed",
  "handed_off",
  "dead_lettered",
  "cancelled",
];

function options(args: string[]) {
  return parseCommand(
    args,
    {
      json: { type: "boolean", default: false },
      partial: { type: "boolean", default: false },
      output: { type: "string", short: "o" },
      "page-size": { type: "string", default: "100" },
    },
    "usage: agents status [ID] [--json] | agents result ID [--partial] [--page-size N] [--json] | agents artifact TASK_ID NAME [-o FILE]",
  );
}

/** Without an id: counts per queue × status; with one: that job's or task's status. */
export async function runStatus(args: string[]): Promise<number> {
  const { values, positionals } = options(args);
  if (positionals.length > 1) throw usage("usage: agents status [ID] [--json]");
  const t = targetFromConfig(loadConfig());
  const [id] = positionals;
  if (!id) {
    const [q, health] = await Promise.all([
      call<Queues>(t, "GET", "/v1/agents/queues"),
      call<Health>(t, "GET", "/health").catch(() => undefined),
    ]);
    if (values.json) printJson({ ...q, workers: health?.workers ?? null });
    else {
      printSystem({
        stopped: q.stopped,
        stop_reason: q.stop_reason,
        stopped_since: q.stopped_since,
        paused: Object.entries(q.paused).map(([queue, p]) => ({ queue, ...p })),
      });
      const rows = Object.entries(q.queues).map(([queue, c]) => [
        queue,
        ...COLUMNS.map((s) => c[s] ?? 0),
        c.cancel_requested ?? 0,
      ]);
      process.stdout.write(`${table(["queue", ...COLUMNS, "cancel_requested"], rows)}\n`);
      if (health?.workers) process.stdout.write(`\n${workersText(health.workers)}\n`);
    }
    return Exit.Ok;
  }
  const s = await call<Status>(t, "GET", `/v1/agents/status/${encodeURIComponent(id)}`);
  if (!values.json) printSystem(await call<SystemView>(t, "GET", "/v1/agents/system").catch(() => undefined));
  if (values.json) printJson(s);
  else if (s.kind === "job") process.stdout.write(`${jobLine(s.job)}\n  spec: ${firstLine(s.job.spec)}\n`);
  else {
    const k = s.task;
    const lines = [
      `task ${k.task_id} (${k.type}, iteration ${k.iteration}) of job ${k.job_id}: ${k.status}`,
      `  queue ${k.queue}  priority ${k.priority}  attempts ${k.attempts}  model ${k.model}  cost ${usd(Number(k.cost_usd ?? 0))}`,
      ...(k.worker_id ? [`  worker ${k.worker_id}`] : []),
      ...(k.waiting_until ? [`  waiting until ${k.waiting_until} (a usage limit; no attempt is used)`] : []),
      ...(k.unpriced ? ["  cost unknown: its model has no price (set one in AGENTS_PRICES)"] : []),
      ...(Array.isArray(k.permission_denials) && k.permission_denials.length > 0
        ? [
            `  tools refused: ${k.permission_denials.map((d: { tool_name?: unknown }) => String(d.tool_name)).join(", ")}`,
          ]
        : []),
      ...(Array.isArray(k.artifacts) && k.artifacts.length > 0
        ? [`  artifacts: ${k.artifacts.length} (agents result ${k.task_id})`]
        : []),
      ...(k.last_error ? [`  last error: ${k.last_error}`] : []),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  }
  return Exit.Ok;
}

/**
 * A task's output, or every iteration's best output of a job (exit 4 while not ready). A job's
 * result comes a page at a time; text is printed as each page arrives, `--json` prints one object.
 */
export async function runResult(args: string[]): Promise<number> {
  const { values, positionals } = options(args);
  const [id, ...rest] = positionals;
  if (!id || rest.length > 0) throw usage("usage: agents result ID [--partial] [--page-size N] [--json]");
  const pageSize = Number(values["page-size"]);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 500)
    throw usage(`--page-size must be a whole number from 1 to 500 (got "${values["page-size"]}")`);
  const t = targetFromConfig(loadConfig());
  const url = (cursor: string | null) => {
    const q = new URLSearchParams(values.partial ? { partial: "true" } : {});
    q.set("limit", String(pageSize));
    if (cursor) q.set("cursor", cursor);
    return `/v1/agents/result/${encodeURIComponent(id)}?${q}`;
  };
  const first = await call<Result>(t, "GET", url(null));
  if (first.kind === "task") {
    if (values.json) printJson(first);
    else {
      process.stdout.write(`${first.task.output ?? ""}\n`);
      // On stderr, so `agents result T > out.md` keeps only the output.
      const notes = [
        ...artifactLines(first.task.task_id, first.task.artifacts ?? []),
        ...(first.task.permission_denials?.length
          ? [`tools refused: ${first.task.permission_denials.map((d) => d.tool_name).join(", ")}`]
          : []),
      ];
      if (notes.length > 0) process.stderr.write(`${notes.join("\n")}\n`);
    }
    return Exit.Ok;
  }
  const all: Iteration[] = [];
  let r: JobResult = first;
  for (;;) {
    if (values.json) all.push(...r.job.iterations);
    else printIterations(r.job.iterations);
    if (!r.job.next_cursor) break;
    r = await call<JobResult>(t, "GET", url(r.job.next_cursor));
  }
  if (values.json) printJson({ ...r, job: { ...r.job, iterations: all, next_cursor: null } });
  return Exit.Ok;
}

function printIterations(iterations: Iteration[]): void {
  for (const it of iterations) {
    process.stdout.write(
      `=== iteration ${it.iteration} (${it.outcome}${it.task_id ? `, ${it.task_id}` : ""}) ===\n`,
    );
    process.stdout.write(`${it.output ?? "(no output)"}\n`);
    const files = it.task_id ? artifactLines(it.task_id, it.artifacts ?? []) : [];
    process.stdout.write(files.length > 0 ? `${files.join("\n")}\n\n` : "\n");
  }
}

/** The artifacts of a task, one line each, with the command that downloads them. */
function artifactLines(taskId: unknown, artifacts: Artifact[]): string[] {
  if (artifacts.length === 0) return [];
  return [
    `artifacts (${artifacts.length}; agents artifact ${String(taskId)} NAME -o FILE):`,
    ...artifacts.map((a) => `  ${a.name}  ${a.bytes} bytes`),
  ];
}

/** Each live worker: its executors, whether they take work, and why not. */
function workersText(w: NonNullable<Health["workers"]>): string {
  if (w.error) return `workers: unknown (${w.error})`;
  const lines = [`workers: ${w.live} live`];
  for (const worker of w.list) {
    const ex = worker.executors
      .map((e) => {
        const why =
          e.auth.state === "failed"
            ? ` (${e.auth.detail})`
            : e.held_until
              ? ` (held until ${e.held_until})`
              : "";
        return `${e.route}: ${e.available ? "takes work" : "takes NO work"}, credentials ${e.auth.state}${why}`;
      })
      .join("; ");
    lines.push(
      `  ${worker.worker_id} on ${worker.host}: ${worker.running} running${worker.stopped ? ", stopped" : ""} · ${ex}`,
    );
  }
  return lines.join("\n");
}

/** `agents artifact TASK NAME [-o FILE]`: one file a task's agent wrote (to stdout without -o). */
export async function runArtifact(args: string[]): Promise<number> {
  const { values, positionals } = options(args);
  const [task, name, ...rest] = positionals;
  if (!task || !name || rest.length > 0) throw usage("usage: agents artifact TASK_ID NAME [-o FILE]");
  const t = targetFromConfig(loadConfig());
  const path = `/v1/agents/tasks/${encodeURIComponent(task)}/artifacts/${name.split("/").map(encodeURIComponent).join("/")}`;
  const bytes = await download(t, path);
  if (values.output) await writeFile(values.output, bytes);
  else process.stdout.write(bytes);
  return Exit.Ok;
}
