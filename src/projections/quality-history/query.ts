// The quality history query: critiques filtered by spec, job, model and time, newest first.
import type { QualityEntry } from "./evolve.ts";

export type QualityQuery = {
  spec_key?: string | undefined;
  job_id?: string | undefined;
  /** Matches the critique's `model`. */
  model?: string | undefined;
  /** ISO time, inclusive. */
  from?: string | undefined;
  /** ISO time, exclusive. */
  to?: string | undefined;
  /** Only critiques of these iterations (with job_id: of one job's iterations). */
  iterations?: readonly number[] | undefined;
  /** Most entries returned. Default 100, at most 1000. */
  limit?: number | undefined;
};

export const DEFAULT_QUALITY_LIMIT = 100;
export const MAX_QUALITY_LIMIT = 1000;

/** The page size a query asks for, within bounds. */
export function qualityLimit(q: QualityQuery): number {
  return Math.min(Math.max(Math.trunc(q.limit ?? DEFAULT_QUALITY_LIMIT), 1), MAX_QUALITY_LIMIT);
}

/** True when an entry matches every filter given. */
export function matchesQuality(e: QualityEntry, q: QualityQuery): boolean {
  if (q.spec_key !== undefined && e.spec_key !== q.spec_key) return false;
  if (q.job_id !== undefined && e.job_id !== q.job_id) return false;
  if (q.model !== undefined && e.model !== q.model) return false;
  if (q.from !== undefined && e.occurred_at < q.from) return false;
  if (q.iterations !== undefined && !q.iterations.includes(e.iteration)) return false;
  return q.to === undefined || e.occurred_at < q.to;
}

/** Newest first: time, then stream sequence. */
export function newestFirst(a: QualityEntry, b: QualityEntry): number {
  if (a.occurred_at !== b.occurred_at) return a.occurred_at < b.occurred_at ? 1 : -1;
  return b.seq - a.seq;
}

/** The in-memory query. */
export function qualityHistoryIn(entries: Iterable<QualityEntry>, q: QualityQuery): QualityEntry[] {
  const hits: QualityEntry[] = [];
  for (const e of entries) if (matchesQuality(e, q)) hits.push(e);
  return hits.sort(newestFirst).slice(0, qualityLimit(q));
}
