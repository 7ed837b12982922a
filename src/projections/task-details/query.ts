// The task queries: one task by id, and tasks in dispatch order (priority desc, then created time,
// then id) with opaque cursor pagination. The in-memory form here; ArangoDB's AQL mirrors it.
import { z } from "zod";
import { InputValidationError } from "../../core/errors.ts";
import { type QueueName, QueueName as QueueNameSchema } from "../../core/events/index.ts";
import { TaskStatus } from "../../core/lifecycle/index.ts";
import type { TaskDoc } from "./evolve.ts";

export type ListTasksQuery = {
  queue?: QueueName | undefined;
  status?: TaskStatus | undefined;
  job_id?: string | undefined;
  /** Page size. Default 50, at most 500. */
  limit?: number | undefined;
  /** `next_cursor` of the previous page. */
  cursor?: string | null | undefined;
};

export type Page<T> = { items: T[]; next_cursor: string | null };

/** Position after which the next page starts: the last item's sort key. */
export type TaskCursor = { priority: number; created_at: string; task_id: string };

export type TaskListPlan = {
  queues: QueueName[];
  status: TaskStatus | undefined;
  job_id: string | undefined;
  limit: number;
  after: TaskCursor | null;
};

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

const CursorSchema = z.tuple([z.number().int(), z.string(), z.string()]);
const StatusSchema = z.enum(Object.values(TaskStatus) as [TaskStatus, ...TaskStatus[]]);

/** Check a list query and resolve defaults; a bad cursor or value is an InputValidationError. */
export function planTaskList(q: ListTasksQuery): TaskListPlan {
  if (q.queue !== undefined && !QueueNameSchema.safeParse(q.queue).success)
    throw new InputValidationError([{ path: "queue", message: `unknown queue "${q.queue}"` }], "task query");
  if (q.status !== undefined && !StatusSchema.safeParse(q.status).success)
    throw new InputValidationError(
      [{ path: "status", message: `unknown status "${q.status}"` }],
      "task query",
    );
  const limit = Math.min(Math.max(Math.trunc(q.limit ?? DEFAULT_PAGE), 1), MAX_PAGE);
  return {
    queues: q.queue ? [q.queue] : [...QueueNameSchema.options],
    status: q.status,
    job_id: q.job_id,
    limit,
    after: q.cursor ? decodeCursor(q.cursor) : null,
  };
}

/** An opaque cursor for the position after `t`. */
export function encodeCursor(t: TaskDoc): string {
  return Buffer.from(JSON.stringify([t.priority, t.created_at, t.task_id])).toString("base64url");
}

/** Read a cursor made by encodeCursor. */
export function decodeCursor(cursor: string): TaskCursor {
  try {
    const [priority, created_at, task_id] = CursorSchema.parse(
      JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")),
    );
    return { priority, created_at, task_id };
  } catch {
    throw new InputValidationError(
      [{ path: "cursor", message: "is not a cursor returned by this API; start again without it" }],
      "task query",
    );
  }
}

/** Dispatch order: priority desc, then created time, then id. */
export function compareTasks(a: TaskCursor, b: TaskCursor): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1;
  return a.task_id < b.task_id ? -1 : a.task_id > b.task_id ? 1 : 0;
}

/** True when a task matches the plan's filters and comes after its cursor. */
export function matchesPlan(t: TaskDoc, plan: TaskListPlan): boolean {
  if (plan.status !== undefined && t.status !== plan.status) return false;
  if (plan.job_id !== undefined && t.job_id !== plan.job_id) return false;
  return plan.after === null || compareTasks(plan.after, t) < 0;
}

/** Cut a sorted list fetched with limit + 1 rows into a page and its next cursor. */
export function toPage(sorted: TaskDoc[], limit: number): Page<TaskDoc> {
  const items = sorted.slice(0, limit);
  const last = items.at(-1);
  return { items, next_cursor: sorted.length > limit && last ? encodeCursor(last) : null };
}

/** The in-memory query over the tasks of the plan's queues. */
export function listTasksIn(tasks: Iterable<TaskDoc>, plan: TaskListPlan): Page<TaskDoc> {
  const hits: TaskDoc[] = [];
  for (const t of tasks) if (matchesPlan(t, plan)) hits.push(t);
  hits.sort(compareTasks);
  return toPage(hits.slice(0, plan.limit + 1), plan.limit);
}
