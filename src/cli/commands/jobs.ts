// `agents jobs [filters]` (GET /v1/agents/jobs) and `agents tasks JOB [filters]`
// (GET /v1/agents/jobs/{id}/tasks): lists, a page at a time or all of it with --all.
import { loadConfig } from "../../config/index.ts";
import { QueueName } from "../../core/events/index.ts";
import { TaskStatus } from "../../core/lifecycle/index.ts";
import type { JobSummary, JobsPage, TaskView } from "../../gateway/views/schemas.ts";
import { choiceOption, intOption, parseCommand, timeOption } from "../args.ts";
import { call, type GatewayTarget, query, targetFromConfig } from "../client.ts";
import { Exit, usage } from "../exit.ts";
import { firstLine, invocation, printJson, table, usd } from "../format.ts";
import { finished, infiniteCap } from "./views.ts";

const JOB_STATUSES = ["submitted", "running", "completed", "cancelled", "rejected"] as const;
const TASK_STATUSES = Object.values(TaskStatus);

export const JOBS_USAGE = `usage: agents jobs [--status S] [--search TEXT] [--from TIME] [--to TIME]
                   [--limit N] [--cursor C] [--all] [--json]
  newest first; --status ${JOB_STATUSES.join("|")}; --search matches the spec's text;
  --from/--to bound the creation time (ISO, e.g. 2026-01-31 or 2026-01-31T12:00:00Z);
  --limit jobs a page (default 50, at most 500), --all every page`;

export const TASKS_USAGE = `usage: agents tasks JOB [--status S] [--queue standard|heavy|critic] [--limit N]
                    [--cursor C] [--all] [--json]
  a job's tasks in dispatch order; --status ${TASK_STATUSES.join("|")}`;

type TasksPage = { items: TaskView[]; next_cursor: string | null };

const paging = {
  limit: { type: "string" },
  cursor: { type: "string" },
  all: { type: "boolean", default: false },
  json: { type: "boolean", default: false },
} as const;

/** Fetch one page, or every page with `all`; the pages' items joined, and the last cursor. */
async function pages<T>(
  first: string | undefined,
  all: boolean,
  get: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor: string | null }>,
): Promise<{ items: T[]; next_cursor: string | null }> {
  const items: T[] = [];
  let cursor = first;
  for (;;) {
    const page = await get(cursor);
    items.push(...page.items);
    if (!all || !page.next_cursor) return { items, next_cursor: page.next_cursor };
    cursor = page.next_cursor;
  }
}

/** "3/5", or "12/∞" for an infinite job. */
function iterationsOf(j: JobSummary): string {
  const done = finished(j);
  if (j.infinite) return `${done}/∞ (cap ${infiniteCap(j)})`;
  const cancelled = j.iterations.cancelled > 0 ? ` (${j.iterations.cancelled} cancelled)` : "";
  return `${done}/${j.count ?? j.iterations_planned}${cancelled}`;
}

function more(command: string, cursor: string | null): string {
  return cursor ? `more: ${command} --cursor ${cursor}   (or --all)\n` : "";
}

/** List jobs newest first. */
export async function runJobs(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    {
      status: { type: "string" },
      search: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      ...paging,
    },
    JOBS_USAGE,
  );
  if (positionals.length > 0) throw usage(JOBS_USAGE);
  const filters = {
    status: choiceOption("status", values.status, JOB_STATUSES),
    q: values.search,
    from: timeOption("from", values.from),
    to: timeOption("to", values.to),
    limit: intOption("limit", values.limit, 1, 500),
  };
  const t = targetFromConfig(loadConfig());
  let checkpoint = 0;
  const list = await pages(values.cursor, values.all, async (cursor) => {
    const page = await call<JobsPage>(t, "GET", `/v1/agents/jobs${query({ ...filters, cursor })}`);
    checkpoint = page.checkpoint;
    return page;
  });
  if (values.json) {
    printJson({ ...list, checkpoint });
    return Exit.Ok;
  }
  if (list.items.length === 0) {
    process.stdout.write("no jobs\n");
    return Exit.Ok;
  }
  const rows = list.items.map((j) => [
    j.job_id,
    j.status,
    iterationsOf(j),
    j.tasks_total,
    usd(j.cost_usd),
    j.quality.critiques > 0 ? j.quality.quality.toFixed(1) : "-",
    j.created_at.replace(/\.\d+Z$/, "Z"),
    firstLine(j.spec_excerpt, 50),
  ]);
  process.stdout.write(
    `${table(["job", "status", "iterations", "tasks", "cost", "quality", "created", "spec"], rows)}\n`,
  );
  process.stdout.write(more(`${invocation()} jobs${argsWithoutCursor(args)}`, list.next_cursor));
  return Exit.Ok;
}

/** The command's own options again, for the "more:" hint (without an old --cursor). */
function argsWithoutCursor(args: string[]): string {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--cursor") i++;
    else if (!a.startsWith("--cursor="))
      out.push(/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`);
  }
  return out.length ? ` ${out.join(" ")}` : "";
}

/** List a job's tasks in dispatch order. */
export async function runTasks(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    { status: { type: "string" }, queue: { type: "string" }, ...paging },
    TASKS_USAGE,
  );
  const [job, ...rest] = positionals;
  if (!job || rest.length > 0) throw usage(TASKS_USAGE);
  const filters = {
    status: choiceOption("status", values.status, TASK_STATUSES),
    queue: choiceOption("queue", values.queue, QueueName.options),
    limit: intOption("limit", values.limit, 1, 500),
  };
  const t: GatewayTarget = targetFromConfig(loadConfig());
  const path = `/v1/agents/jobs/${encodeURIComponent(job)}/tasks`;
  const list = await pages(values.cursor, values.all, (cursor) =>
    call<TasksPage>(t, "GET", `${path}${query({ ...filters, cursor })}`),
  );
  if (values.json) {
    printJson(list);
    return Exit.Ok;
  }
  if (list.items.length === 0) {
    process.stdout.write(`no tasks${values.status || values.queue ? " match" : ""}\n`);
    return Exit.Ok;
  }
  const rows = list.items.map((k) => [
    k.task_id,
    k.type,
    k.iteration,
    k.queue,
    k.status,
    k.attempts,
    k.model,
    usd(k.cost_usd),
    firstLine(k.last_error ?? k.cancel_reason, 50),
  ]);
  process.stdout.write(
    `${table(["task", "type", "iteration", "queue", "status", "attempts", "model", "cost", "note"], rows)}\n`,
  );
  process.stdout.write(more(`${invocation()} tasks${argsWithoutCursor(args)}`, list.next_cursor));
  return Exit.Ok;
}
