// Time series over the quality history and the run-cost ledger: entries in a time window, bucketed
// by a fixed width and grouped by spec or model, summed per (bucket, group). Averages are left to
// the caller (sums and counts add up across stores and pages; averages do not). The in-memory form
// here; ArangoDB's AQL mirrors it.
import type { QualityEntry } from "../quality-history/evolve.ts";
import type { RunCostEntry } from "../run-costs/evolve.ts";

export type SeriesGroup = "spec" | "model";

export type SeriesQuery = {
  /** Bucket width in ms. */
  bucket_ms: number;
  /** ISO time, inclusive. */
  from: string;
  /** ISO time, exclusive. */
  to: string;
  group: SeriesGroup;
  spec_key?: string | undefined;
  /** The model the group means: for quality, the judged output's model (else the critic's). */
  model?: string | undefined;
  job_id?: string | undefined;
};

/** One (bucket, group) of critiques: count and score sums. */
export type QualityPoint = {
  /** Bucket start, ms since the epoch. */
  t: number;
  key: string;
  count: number;
  compliance: number;
  uniqueness: number;
  quality: number;
};

/** One (bucket, group) of runs: count, spend and tokens. */
export type CostPoint = {
  t: number;
  key: string;
  runs: number;
  cost_usd: number;
  input_tokens: number;
  output_tokens: number;
};

/** The group key of entries without a spec (a job the projections never saw submitted). */
export const NO_SPEC = "";

/** The model a quality entry counts for: the judged output's, else the critic's. */
export function qualityModel(e: QualityEntry): string {
  return e.target_model ?? e.model;
}

/** Start of the bucket holding an ISO time. */
export function bucketOf(at: string, bucketMs: number): number {
  return Math.floor(Date.parse(at) / bucketMs) * bucketMs;
}

/** Order of points: time, then key. */
export function byPoint(a: { t: number; key: string }, b: { t: number; key: string }): number {
  if (a.t !== b.t) return a.t - b.t;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function inWindow(at: string, q: SeriesQuery): boolean {
  return at >= q.from && at < q.to;
}

/** The in-memory quality series. */
export function qualitySeriesIn(entries: Iterable<QualityEntry>, q: SeriesQuery): QualityPoint[] {
  const points = new Map<string, QualityPoint>();
  for (const e of entries) {
    if (!inWindow(e.occurred_at, q)) continue;
    if (q.spec_key !== undefined && e.spec_key !== q.spec_key) continue;
    if (q.model !== undefined && qualityModel(e) !== q.model) continue;
    if (q.job_id !== undefined && e.job_id !== q.job_id) continue;
    const t = bucketOf(e.occurred_at, q.bucket_ms);
    const key = q.group === "model" ? qualityModel(e) : (e.spec_key ?? NO_SPEC);
    const id = `${t} ${key}`;
    const p = points.get(id) ?? { t, key, count: 0, compliance: 0, uniqueness: 0, quality: 0 };
    p.count += 1;
    p.compliance += e.compliance;
    p.uniqueness += e.uniqueness;
    p.quality += e.quality;
    points.set(id, p);
  }
  return [...points.values()].sort(byPoint);
}

/** The in-memory cost series. */
export function costSeriesIn(entries: Iterable<RunCostEntry>, q: SeriesQuery): CostPoint[] {
  const points = new Map<string, CostPoint>();
  for (const e of entries) {
    if (!inWindow(e.occurred_at, q)) continue;
    if (q.spec_key !== undefined && e.spec_key !== q.spec_key) continue;
    if (q.model !== undefined && e.model !== q.model) continue;
    if (q.job_id !== undefined && e.job_id !== q.job_id) continue;
    const t = bucketOf(e.occurred_at, q.bucket_ms);
    const key = q.group === "model" ? e.model : (e.spec_key ?? NO_SPEC);
    const id = `${t} ${key}`;
    const p = points.get(id) ?? { t, key, runs: 0, cost_usd: 0, input_tokens: 0, output_tokens: 0 };
    p.runs += 1;
    p.cost_usd += e.cost_usd;
    p.input_tokens += e.input_tokens;
    p.output_tokens += e.output_tokens;
    points.set(id, p);
  }
  return [...points.values()].sort(byPoint);
}
