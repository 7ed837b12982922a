// The embedded ProjectionStore: every collection in memory, rebuilt from the stream at start (the
// zero-setup default). A batch is applied synchronously, so it is atomic by construction.
import { QueueName } from "../../core/events/index.ts";
import { byCost, type ModelCost } from "../cost-by-model/evolve.ts";
import type { JobDoc } from "../job-progress/evolve.ts";
import {
  type JobSummary,
  type ListJobsQuery,
  listJobsIn,
  planJobList,
  SPEC_EXCERPT,
} from "../jobs-list/query.ts";
import type { QualityEntry } from "../quality-history/evolve.ts";
import { type QualityQuery, qualityHistoryIn } from "../quality-history/query.ts";
import { type QueueSummaryRow, queueSummaryOf } from "../queue-summary/evolve.ts";
import { newestRejectionFirst, type Rejection } from "../rejections/evolve.ts";
import {
  type CostPoint,
  costSeriesIn,
  type QualityPoint,
  qualitySeriesIn,
  type SeriesQuery,
} from "../series/query.ts";
import {
  type Batch,
  byKey,
  COLLECTIONS,
  type CollectionName,
  type Collections,
  type ProjectionStore,
  rejectionLimit,
  type StoreDump,
  taskCollection,
} from "../store.ts";
import { initialSystemState, SYSTEM_KEY, type SystemStateDoc } from "../system-state/evolve.ts";
import type { TaskDoc } from "../task-details/evolve.ts";
import {
  compareTasks,
  type ListTasksQuery,
  listTasksIn,
  type Page,
  planTaskList,
} from "../task-details/query.ts";

type Tables = { [C in CollectionName]: Map<string, Collections[C]> };

/** A fresh, empty in-memory store. */
export function createEmbeddedStore(): ProjectionStore {
  return new EmbeddedStore();
}

class EmbeddedStore implements ProjectionStore {
  private tables: Tables = emptyTables();
  private seq = 0;

  async read<C extends CollectionName>(collection: C, keys: readonly string[]) {
    const table = this.tables[collection] as Map<string, Collections[C]>;
    const found = new Map<string, Collections[C]>();
    for (const k of keys) {
      const doc = table.get(k);
      if (doc) found.set(k, doc);
    }
    return found;
  }

  async apply(batch: Batch): Promise<void> {
    // Documents are never mutated after they are built (evolves return new objects), so storing the
    // batch's objects is safe; queries hand out copies.
    for (const c of COLLECTIONS) {
      const table = this.tables[c] as Map<string, { seq: number }>;
      for (const doc of batch.upserts[c] ?? []) {
        const old = table.get(doc._key);
        if (!old || old.seq < doc.seq) table.set(doc._key, doc);
      }
      for (const k of batch.deletes[c] ?? []) table.delete(k);
    }
    this.seq = Math.max(this.seq, batch.checkpoint);
  }

  async reset(): Promise<void> {
    this.tables = emptyTables();
    this.seq = 0;
  }

  async checkpoint(): Promise<number> {
    return this.seq;
  }

  async getTask(id: string): Promise<TaskDoc | null> {
    for (const q of QueueName.options) {
      const t = this.tables[taskCollection(q)].get(id);
      if (t) return structuredClone(t);
    }
    return null;
  }

  async getJob(id: string): Promise<JobDoc | null> {
    const j = this.tables.jobs.get(id);
    return j ? structuredClone(j) : null;
  }

  async listTasks(q: ListTasksQuery = {}): Promise<Page<TaskDoc>> {
    const plan = planTaskList(q);
    const tasks = plan.queues.flatMap((queue) => [...this.tables[taskCollection(queue)].values()]);
    return structuredClone(listTasksIn(tasks, plan));
  }

  async queueSummary(): Promise<QueueSummaryRow[]> {
    return queueSummaryOf(this.tables.queue_summary.values());
  }

  async qualityHistory(q: QualityQuery = {}): Promise<QualityEntry[]> {
    return structuredClone(qualityHistoryIn(this.tables.quality_history.values(), q));
  }

  async costByModel(): Promise<ModelCost[]> {
    return structuredClone([...this.tables.model_costs.values()].sort(byCost));
  }

  async listRejections(limit?: number): Promise<Rejection[]> {
    const all = [...this.tables.rejections.values()].sort(newestRejectionFirst);
    return structuredClone(all.slice(0, rejectionLimit(limit)));
  }

  async systemState(): Promise<SystemStateDoc> {
    return structuredClone(this.tables.system_state.get(SYSTEM_KEY) ?? initialSystemState());
  }

  async listJobs(q: ListJobsQuery = {}): Promise<Page<JobSummary>> {
    return structuredClone(listJobsIn(this.tables.jobs.values(), planJobList(q)));
  }

  async jobTasks(jobId: string, iterations: readonly number[]): Promise<TaskDoc[]> {
    const wanted = new Set(iterations);
    const hits: TaskDoc[] = [];
    for (const queue of QueueName.options)
      for (const t of this.tables[taskCollection(queue)].values())
        if (t.job_id === jobId && wanted.has(t.iteration)) hits.push(t);
    return structuredClone(hits.sort(compareTasks));
  }

  async qualitySeries(q: SeriesQuery): Promise<QualityPoint[]> {
    return qualitySeriesIn(this.tables.quality_history.values(), q);
  }

  async costSeries(q: SeriesQuery): Promise<CostPoint[]> {
    return costSeriesIn(this.tables.run_costs.values(), q);
  }

  async specExcerpts(keys: readonly string[]): Promise<Map<string, string>> {
    const wanted = new Set(keys);
    const found = new Map<string, string>();
    for (const j of this.tables.jobs.values())
      if (j.spec_key && j.spec !== null && wanted.has(j.spec_key) && !found.has(j.spec_key))
        found.set(j.spec_key, j.spec.slice(0, SPEC_EXCERPT));
    return found;
  }

  async dump(): Promise<StoreDump> {
    const dump = { checkpoint: this.seq } as StoreDump;
    for (const c of COLLECTIONS) {
      (dump as Record<string, unknown>)[c] = structuredClone([...this.tables[c].values()].sort(byKey));
    }
    return dump;
  }

  async close(): Promise<void> {}
}

function emptyTables(): Tables {
  return Object.fromEntries(COLLECTIONS.map((c) => [c, new Map()])) as Tables;
}
