// The jobs query: jobs filtered by status, spec text, creation time or ids, newest first (creation
// time, then id), a page at a time with an opaque cursor. Rows are summaries: the spec cut to an
// excerpt and without the per-iteration list, so a page of 500 stays small. The in-memory form here;
// ArangoDB's AQL mirrors it.
import { z } from "zod";
import { InputValidationError } from "../../core/errors.ts";
import type { JobDoc, JobStatus } from "../job-progress/evolve.ts";
import type { Page } from "../task-details/query.ts";

export const JOB_STATUSES = [
  "submitted",
  "running",
  "completed",
  "cancelled",
  "rejected",
] as const satisfies readonly JobStatus[];

export type ListJobsQuery = {
  status?: JobStatus | undefined;
  /** Case-insensitive substring of the spec text. */
  text?: string | undefined;
  /** Created at or after (ISO time). */
  from?: string | undefined;
  /** Created before (ISO time). */
  to?: string | undefined;
  /** Only these jobs (at most MAX_JOB_PAGE). */
  ids?: readonly string[] | undefined;
  /** Page size. Default 50, at most 500. */
  limit?: number | undefined;
  /** `next_cursor` of the previous page. */
  cursor?: string | null | undefined;
};

/** Position after which the next page starts: the last row's sort key. */
export type JobCursor = { created_at: string; job_id: string };

export type JobListPlan = {
  status: JobStatus | undefined;
  /** Lower-cased. */
  text: string | undefined;
  from: string | undefined;
  to: string | undefined;
  ids: string[] | undefined;
  limit: number;
  after: JobCursor | null;
};

/** A job as a list shows it. */
export type JobSummary = Omit<JobDoc, "_key" | "best_tasks" | "spec"> & {
  /** The spec's first SPEC_EXCERPT characters. */
  spec_excerpt: string | null;
  spec_chars: number;
};

export const DEFAULT_JOB_PAGE = 50;
export const MAX_JOB_PAGE = 500;
export const SPEC_EXCERPT = 300;

const CursorSchema = z.tuple([z.string(), z.string()]);

/** Check a list query and resolve defaults; a bad value is an InputValidationError naming the field. */
export function planJobList(q: ListJobsQuery): JobListPlan {
  if (q.status !== undefined && !(JOB_STATUSES as readonly string[]).includes(q.status))
    throw new InputValidationError(
      [{ path: "status", message: `unknown job status "${q.status}"; one of ${JOB_STATUSES.join(", ")}` }],
      "job query",
    );
  if (q.ids !== undefined && q.ids.length > MAX_JOB_PAGE)
    throw new InputValidationError(
      [{ path: "ids", message: `at most ${MAX_JOB_PAGE} ids at once` }],
      "job query",
    );
  const limit = Math.min(Math.max(Math.trunc(q.limit ?? DEFAULT_JOB_PAGE), 1), MAX_JOB_PAGE);
  const text = q.text?.trim() ? q.text.trim().toLowerCase() : undefined;
  return {
    status: q.status,
    text,
    from: q.from,
    to: q.to,
    ids: q.ids ? [...new Set(q.ids)] : undefined,
    limit,
    after: q.cursor ? decodeJobCursor(q.cursor) : null,
  };
}

/** An opaque cursor for the position after `j`. */
export function encodeJobCursor(j: JobCursor): string {
  return Buffer.from(JSON.stringify([j.created_at, j.job_id])).toString("base64url");
}

/** Read a cursor made by encodeJobCursor. */
export function decodeJobCursor(cursor: string): JobCursor {
  try {
    const [created_at, job_id] = CursorSchema.parse(
      JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")),
    );
    return { created_at, job_id };
  } catch {
    throw new InputValidationError(
      [{ path: "cursor", message: "is not a cursor returned by this API; start again without it" }],
      "job query",
    );
  }
}

/** Newest first: creation time desc, then id desc. */
export function newestJobFirst(a: JobCursor, b: JobCursor): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? 1 : -1;
  return a.job_id < b.job_id ? 1 : a.job_id > b.job_id ? -1 : 0;
}

/** True when a job matches the plan's filters and comes after its cursor. */
export function matchesJobPlan(j: JobDoc, plan: JobListPlan): boolean {
  if (plan.status !== undefined && j.status !== plan.status) return false;
  if (plan.from !== undefined && j.created_at < plan.from) return false;
  if (plan.to !== undefined && j.created_at >= plan.to) return false;
  if (plan.ids !== undefined && !plan.ids.includes(j.job_id)) return false;
  if (plan.text !== undefined && !(j.spec ?? "").toLowerCase().includes(plan.text)) return false;
  return plan.after === null || newestJobFirst(plan.after, j) < 0;
}

/** A job document as a store may read it for a list: without its iterations, the spec maybe cut. */
export type JobRow = Omit<JobDoc, "best_tasks"> & { best_tasks?: unknown; spec_chars?: number };

/** A job document (or row) as a list row. */
export function summarizeJob(j: JobRow): JobSummary {
  const { _key: _, best_tasks: __, spec_chars, spec, ...rest } = j;
  return {
    ...rest,
    spec_excerpt: spec === null ? null : spec.slice(0, SPEC_EXCERPT),
    spec_chars: spec_chars ?? spec?.length ?? 0,
  };
}

/** Cut a sorted list fetched with limit + 1 rows into a page and its next cursor. */
export function toJobPage(sorted: JobSummary[], limit: number): Page<JobSummary> {
  const items = sorted.slice(0, limit);
  const last = items.at(-1);
  return { items, next_cursor: sorted.length > limit && last ? encodeJobCursor(last) : null };
}

/** The in-memory query. */
export function listJobsIn(jobs: Iterable<JobDoc>, plan: JobListPlan): Page<JobSummary> {
  const hits: JobDoc[] = [];
  for (const j of jobs) if (matchesJobPlan(j, plan)) hits.push(j);
  hits.sort(newestJobFirst);
  return toJobPage(hits.slice(0, plan.limit + 1).map(summarizeJob), plan.limit);
}
