// `agents status [ID]` and `agents result ID`: read the projections through the gateway.
import { loadConfig } from "../../config/index.ts";
import { parseCommand } from "../args.ts";
import { call, targetFromConfig } from "../client.ts";
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
type Status = { kind: "job"; job: JobView } | { kind: "task"; task: Record<string, unknown> };

/** The system state first, when it stops or pauses anything. */
function printSystem(s: SystemView | undefined): void {
  for (const line of systemLines(s)) process.stdout.write(`${line}\n`);
}
type Iteration = { iteration: number; outcome: string; task_id: string | null; output: string | null };
type JobResult = {
  kind: "job";
  job: { job_id: string; status: string; iterations: Iteration[]; next_cursor: string | null };
};
type Result = { kind: "task"; task: Record<string, unknown> & { output: string | null } } | JobResult;

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
      "page-size": { type: "string", default: "100" },
    },
    "usage: agents status [ID] [--json] | agents result ID [--partial] [--page-size N] [--json]",
  );
}

/** Without an id: counts per queue × status; with one: that job's or task's status. */
export async function runStatus(args: string[]): Promise<number> {
  const { values, positionals } = options(args);
  if (positionals.length > 1) throw usage("usage: agents status [ID] [--json]");
  const t = targetFromConfig(loadConfig());
  const [id] = positionals;
  if (!id) {
    const q = await call<Queues>(t, "GET", "/v1/agents/queues");
    if (values.json) printJson(q);
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
    else process.stdout.write(`${first.task.output ?? ""}\n`);
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
    process.stdout.write(`${it.output ?? "(no output)"}\n\n`);
  }
}
