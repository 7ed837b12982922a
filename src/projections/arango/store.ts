// The ArangoDB ProjectionStore: one collection per read model, the checkpoint in `checkpoints`,
// every batch applied with its checkpoint in one stream transaction.
import { Database } from "arangojs";
import { aql, literal } from "arangojs/aql";
import { QueueName } from "../../core/events/index.ts";
import { byCost, type ModelCost } from "../cost-by-model/evolve.ts";
import type { JobDoc } from "../job-progress/evolve.ts";
import {
  type JobSummary,
  type ListJobsQuery,
  planJobList,
  summarizeJob,
  toJobPage,
} from "../jobs-list/query.ts";
import type { QualityEntry } from "../quality-history/evolve.ts";
import type { QualityQuery } from "../quality-history/query.ts";
import { byCell, type QueueSummaryRow } from "../queue-summary/evolve.ts";
import type { Rejection } from "../rejections/evolve.ts";
import { byPoint, type CostPoint, type QualityPoint, type SeriesQuery } from "../series/query.ts";
import {
  type Batch,
  byKey,
  COLLECTIONS,
  type CollectionName,
  type Collections,
  type ProjectionStore,
  rejectionLimit,
  type StoreDump,
} from "../store.ts";
import { initialSystemState, SYSTEM_KEY, type SystemStateDoc } from "../system-state/evolve.ts";
import type { TaskDoc } from "../task-details/evolve.ts";
import { type ListTasksQuery, type Page, planTaskList, toPage } from "../task-details/query.ts";
import { isAlreadyThere, migrate } from "./migrations.ts";
import {
  clean,
  costSeriesQuery,
  getTaskQuery,
  jobTasksQuery,
  listJobsQuery,
  listTasksQuery,
  qualityQuery,
  qualitySeriesQuery,
  specExcerptsQuery,
} from "./queries.ts";
import { CHECKPOINTS } from "./schemas.ts";

export type ArangoStoreOptions = {
  /** e.g. http://127.0.0.1:8529 */
  url: string;
  database: string;
  /** Default "root". */
  username?: string;
  password?: string;
};

const CHECKPOINT_KEY = "projections";
const d = literal("d");

/** Connect, create the database and collections when missing, apply migrations, and finish an interrupted reset. */
export async function createArangoStore(o: ArangoStoreOptions): Promise<ProjectionStore> {
  const auth = { username: o.username ?? "root", password: o.password ?? "" };
  const system = new Database({ url: o.url, databaseName: "_system", auth });
  const db = system.database(o.database);
  if (!(await db.exists())) {
    await system.createDatabase(o.database).catch((err: unknown) => {
      if (!isAlreadyThere(err)) throw err;
    });
  }
  await migrate(db);
  const store = new ArangoStore(db);
  await store.finishReset();
  return store;
}

class ArangoStore implements ProjectionStore {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  async read<C extends CollectionName>(collection: C, keys: readonly string[]) {
    if (keys.length === 0) return new Map<string, Collections[C]>();
    const docs = await this.all<Collections[C]>(
      aql`FOR d IN ${this.db.collection(collection)} FILTER d._key IN ${keys} RETURN UNSET(d, "_id", "_rev")`,
    );
    return new Map(docs.map((doc) => [doc._key, doc]));
  }

  async apply(batch: Batch): Promise<void> {
    const trx = await this.db.beginTransaction({ write: [...COLLECTIONS, CHECKPOINTS] });
    try {
      for (const name of COLLECTIONS) {
        const col = this.db.collection(name);
        const docs = batch.upserts[name];
        // Replace only with a newer version (higher seq): runners sharing a store converge.
        if (docs?.length)
          await trx.step(() =>
            this.db.query(aql`FOR d IN ${docs} UPSERT { _key: d._key } INSERT d
              REPLACE (OLD.seq < d.seq ? d : UNSET(OLD, "_id", "_rev")) IN ${col}`),
          );
        const keys = batch.deletes[name];
        if (keys?.length)
          await trx.step(() =>
            this.db.query(aql`FOR k IN ${keys} REMOVE k IN ${col} OPTIONS { ignoreErrors: true }`),
          );
      }
      await trx.step(() => this.db.query(this.checkpointUpsert(batch.checkpoint, false)));
      await trx.commit();
    } catch (err) {
      await trx.abort().catch(() => undefined);
      throw err;
    }
  }

  // Checkpoint 0 is written first with `resetting`, so a reset cut short is finished at the next start.
  async reset(): Promise<void> {
    await this.db.query(this.checkpointUpsert(0, true, true));
    await this.finishReset(true);
  }

  /** Complete a reset that was interrupted (or run one when `force`). */
  async finishReset(force = false): Promise<void> {
    const cp = await this.checkpointDoc();
    if (!force && !cp?.resetting) return;
    for (const name of COLLECTIONS) await this.db.collection(name).truncate();
    await this.db.query(this.checkpointUpsert(0, false, true));
  }

  async checkpoint(): Promise<number> {
    return (await this.checkpointDoc())?.seq ?? 0;
  }

  async getTask(id: string): Promise<TaskDoc | null> {
    return (await this.all(getTaskQuery(this.db, QueueName.options, id)))[0] ?? null;
  }

  async getJob(id: string): Promise<JobDoc | null> {
    return (await this.read("jobs", [id])).get(id) ?? null;
  }

  async listTasks(q: ListTasksQuery = {}): Promise<Page<TaskDoc>> {
    const plan = planTaskList(q);
    return toPage(await this.all(listTasksQuery(this.db, plan)), plan.limit);
  }

  async queueSummary(): Promise<QueueSummaryRow[]> {
    const rows = await this.all<QueueSummaryRow>(
      aql`FOR d IN ${this.db.collection("queue_summary")} FILTER d.count != 0
        RETURN { queue: d.queue, status: d.status, count: d.count }`,
    );
    return rows.sort(byCell);
  }

  async qualityHistory(q: QualityQuery = {}): Promise<QualityEntry[]> {
    return this.all(qualityQuery(this.db, q));
  }

  async costByModel(): Promise<ModelCost[]> {
    return (await this.all<ModelCost>(this.everything("model_costs"))).sort(byCost);
  }

  async listRejections(limit?: number): Promise<Rejection[]> {
    return this.all(
      aql`FOR d IN ${this.db.collection("rejections")} SORT d.seq DESC LIMIT ${rejectionLimit(limit)}
        RETURN ${clean(d)}`,
    );
  }

  async systemState(): Promise<SystemStateDoc> {
    return (await this.read("system_state", [SYSTEM_KEY])).get(SYSTEM_KEY) ?? initialSystemState();
  }

  async listJobs(q: ListJobsQuery = {}): Promise<Page<JobSummary>> {
    const plan = planJobList(q);
    const rows = await this.all(listJobsQuery(this.db, plan));
    return toJobPage(rows.map(summarizeJob), plan.limit);
  }

  async jobTasks(jobId: string, iterations: readonly number[]): Promise<TaskDoc[]> {
    if (iterations.length === 0) return [];
    return this.all(jobTasksQuery(this.db, QueueName.options, jobId, iterations));
  }

  // Sorted here: AQL orders strings by its collation, the embedded store by code point.
  async qualitySeries(q: SeriesQuery): Promise<QualityPoint[]> {
    return (await this.all(qualitySeriesQuery(this.db, q))).sort(byPoint);
  }

  async costSeries(q: SeriesQuery): Promise<CostPoint[]> {
    return (await this.all(costSeriesQuery(this.db, q))).sort(byPoint);
  }

  async specExcerpts(keys: readonly string[]): Promise<Map<string, string>> {
    if (keys.length === 0) return new Map();
    const rows = await this.all(specExcerptsQuery(this.db, keys));
    return new Map(rows.map((r) => [r.k, r.spec]));
  }

  async dump(): Promise<StoreDump> {
    const dump = { checkpoint: await this.checkpoint() } as StoreDump;
    for (const name of COLLECTIONS) {
      (dump as Record<string, unknown>)[name] = (
        await this.all<{ _key: string }>(this.everything(name))
      ).sort(byKey);
    }
    return dump;
  }

  async close(): Promise<void> {
    this.db.close();
  }

  private everything(name: CollectionName) {
    return aql`FOR d IN ${this.db.collection(name)} RETURN ${clean(d)}`;
  }

  private async all<T>(query: ReturnType<typeof aql<T>>): Promise<T[]> {
    return (await this.db.query<T>(query)).all();
  }

  private checkpointUpsert(seq: number, resetting: boolean, exact = false) {
    const col = this.db.collection(CHECKPOINTS);
    const next = exact ? aql`${seq}` : aql`MAX([OLD.seq, ${seq}])`;
    return aql`UPSERT { _key: ${CHECKPOINT_KEY} } INSERT { _key: ${CHECKPOINT_KEY}, seq: ${seq}, resetting: ${resetting} }
      UPDATE { seq: ${next}, resetting: ${resetting} } IN ${col}`;
  }

  private async checkpointDoc(): Promise<{ seq: number; resetting?: boolean } | null> {
    const col = this.db.collection(CHECKPOINTS);
    const rows = await this.all<{ seq: number; resetting?: boolean }>(
      aql`FOR c IN ${col} FILTER c._key == ${CHECKPOINT_KEY} RETURN c`,
    );
    return rows[0] ?? null;
  }
}
