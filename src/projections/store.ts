// The ProjectionStore port: collections of read-model documents plus the checkpoint, written in
// atomic batches and answering the queries. Adapters: embedded (in memory) and ArangoDB.
import type { QueueName } from "../core/events/index.ts";
import type { ModelCost } from "./cost-by-model/evolve.ts";
import type { JobDoc } from "./job-progress/evolve.ts";
import type { JobSummary, ListJobsQuery } from "./jobs-list/query.ts";
import type { QualityEntry } from "./quality-history/evolve.ts";
import type { QualityQuery } from "./quality-history/query.ts";
import type { QueueCount, QueueSummaryRow } from "./queue-summary/evolve.ts";
import type { Rejection } from "./rejections/evolve.ts";
import type { RunCostEntry } from "./run-costs/evolve.ts";
import type { CostPoint, QualityPoint, SeriesQuery } from "./series/query.ts";
import type { SystemStateDoc } from "./system-state/evolve.ts";
import type { TaskDoc } from "./task-details/evolve.ts";
import type { ListTasksQuery, Page } from "./task-details/query.ts";

/** Every collection and the document it holds. Each document has `_key` and `seq` (last event applied). */
export type Collections = {
  tasks_standard: TaskDoc;
  tasks_heavy: TaskDoc;
  tasks_critic: TaskDoc;
  jobs: JobDoc;
  quality_history: QualityEntry;
  model_costs: ModelCost;
  queue_summary: QueueCount;
  rejections: Rejection;
  system_state: SystemStateDoc;
  run_costs: RunCostEntry;
};
export type CollectionName = keyof Collections;
export type AnyDoc = Collections[CollectionName];

export const COLLECTIONS: readonly CollectionName[] = [
  "tasks_standard",
  "tasks_heavy",
  "tasks_critic",
  "jobs",
  "quality_history",
  "model_costs",
  "queue_summary",
  "rejections",
  "system_state",
  "run_costs",
];

export type TaskCollection = `tasks_${QueueName}`;

/** The collection holding a queue's tasks. */
export function taskCollection(queue: QueueName): TaskCollection {
  return `tasks_${queue}`;
}

/** Document changes applied atomically together with the new checkpoint. */
export type Batch = {
  upserts: { [C in CollectionName]?: Array<Collections[C]> };
  deletes: { [C in CollectionName]?: string[] };
  /** Last stream sequence this batch covers (non-events included). Never moves the checkpoint back. */
  checkpoint: number;
};

/** Every collection's documents sorted by key, plus the checkpoint: for comparing stores. */
export type StoreDump = { [C in CollectionName]: Array<Collections[C]> } & { checkpoint: number };

/** The read side every adapter answers the same way. */
export interface ProjectionQueries {
  /** One task by id (any queue), or null. */
  getTask(id: string): Promise<TaskDoc | null>;
  /** One job with its progress counts, or null. */
  getJob(id: string): Promise<JobDoc | null>;
  /** Tasks in dispatch order (priority desc, created time, id), a page at a time. */
  listTasks(q?: ListTasksQuery): Promise<Page<TaskDoc>>;
  /** Counts per queue × status (non-zero rows, by queue then status). */
  queueSummary(): Promise<QueueSummaryRow[]>;
  /** Critiques, newest first. */
  qualityHistory(q?: QualityQuery): Promise<QualityEntry[]>;
  /** Spend per model, most expensive first. */
  costByModel(): Promise<ModelCost[]>;
  /** Rejected messages and submissions, newest first. Default 50, at most 1000. */
  listRejections(limit?: number): Promise<Rejection[]>;
  /** Last stream sequence applied (0: nothing yet). */
  checkpoint(): Promise<number>;
  /** Whether an emergency stop is in force, and the paused queues (as recorded in the stream). */
  systemState(): Promise<SystemStateDoc>;
  /** Jobs newest first (creation time, then id), as summaries, a page at a time. */
  listJobs(q?: ListJobsQuery): Promise<Page<JobSummary>>;
  /** A job's tasks in the given iterations, in dispatch order. */
  jobTasks(jobId: string, iterations: readonly number[]): Promise<TaskDoc[]>;
  /** Critiques per (time bucket, spec or model), in time order. */
  qualitySeries(q: SeriesQuery): Promise<QualityPoint[]>;
  /** Agent runs per (time bucket, spec or model), in time order. */
  costSeries(q: SeriesQuery): Promise<CostPoint[]>;
  /** The spec excerpt (first SPEC_EXCERPT characters) of each spec key some job carries. */
  specExcerpts(keys: readonly string[]): Promise<Map<string, string>>;
}

/** The full port: queries plus what the runner needs to write. */
export interface ProjectionStore extends ProjectionQueries {
  /** Documents of one collection by key; keys not found are absent from the map. */
  read<C extends CollectionName>(
    collection: C,
    keys: readonly string[],
  ): Promise<Map<string, Collections[C]>>;
  /**
   * Apply every change and the checkpoint in one atomic step (all or nothing). A document replaces the
   * stored one only when its `seq` is higher, so runners sharing one store converge.
   */
  apply(batch: Batch): Promise<void>;
  /** Remove every document and set the checkpoint to 0 (before a replay). */
  reset(): Promise<void>;
  /** Every collection's documents sorted by key, and the checkpoint. */
  dump(): Promise<StoreDump>;
  /** Release connections. */
  close(): Promise<void>;
}

export const DEFAULT_REJECTIONS = 50;
export const MAX_REJECTIONS = 1000;

/** The rejection page size asked for, within bounds. */
export function rejectionLimit(limit: number | undefined): number {
  return Math.min(Math.max(Math.trunc(limit ?? DEFAULT_REJECTIONS), 1), MAX_REJECTIONS);
}

/** Code-point order of keys, the same in every adapter's dump. */
export function byKey(a: { _key: string }, b: { _key: string }): number {
  return a._key < b._key ? -1 : a._key > b._key ? 1 : 0;
}
