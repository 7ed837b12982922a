// Public API of the projections: the store port, its two adapters, the runner, and the read-model types.

export { specKey } from "../core/ids.ts";
export { type ArangoStoreOptions, createArangoStore } from "./arango/store.ts";
export type { ModelCost } from "./cost-by-model/evolve.ts";
export { createEmbeddedStore } from "./embedded/store.ts";
export { type Applicable, planBatch } from "./fold.ts";
export type { IterationEnd, JobDoc, JobStatus, QualityAverages } from "./job-progress/evolve.ts";
export type { ReplayOptions, ReplayProgress } from "./progress.ts";
export type { QualityEntry } from "./quality-history/evolve.ts";
export type { QualityQuery } from "./quality-history/query.ts";
export type { QueueSummaryRow } from "./queue-summary/evolve.ts";
export type { Rejection } from "./rejections/evolve.ts";
export { ProjectionRunner, type ProjectionRunnerOptions, type ReplayDone } from "./runner.ts";
export { keepSnapshots, type SnapshotSettings } from "./snapshot-writer.ts";
export { PROJECTIONS_SNAPSHOT_VERSION } from "./snapshots.ts";
export {
  type Batch,
  COLLECTIONS,
  type CollectionName,
  type Collections,
  type ProjectionQueries,
  type ProjectionStore,
  type StoreDump,
} from "./store.ts";
export type { TaskDoc } from "./task-details/evolve.ts";
export type { ListTasksQuery, Page } from "./task-details/query.ts";
