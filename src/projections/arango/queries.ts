// The queries in AQL, bind variables only (the `aql` tag binds every value and collection); they
// mirror the in-memory queries beside each read model.
import type { Database } from "arangojs";
import { type AqlQuery, aql, join, literal } from "arangojs/aql";
import type { QueueName } from "../../core/events/index.ts";
import { type JobListPlan, type JobRow, SPEC_EXCERPT } from "../jobs-list/query.ts";
import type { QualityEntry } from "../quality-history/evolve.ts";
import { type QualityQuery, qualityLimit } from "../quality-history/query.ts";
import { type CostPoint, NO_SPEC, type QualityPoint, type SeriesQuery } from "../series/query.ts";
import { taskCollection } from "../store.ts";
import type { TaskDoc } from "../task-details/evolve.ts";
import type { TaskListPlan } from "../task-details/query.ts";

type Var = ReturnType<typeof literal>;

/** A document without ArangoDB's own `_id` and `_rev`. */
export function clean(v: Var): AqlQuery {
  return aql`UNSET(${v}, "_id", "_rev")`;
}

const taskVar = literal("t");
const innerVar = literal("x");

// Dispatch order, the same as compareTasks.
function taskOrder(v: Var): AqlQuery {
  return aql`SORT ${v}.priority DESC, ${v}.created_at ASC, ${v}._key ASC`;
}

function taskFilters(v: Var, plan: TaskListPlan): AqlQuery {
  const parts: AqlQuery[] = [];
  if (plan.status !== undefined) parts.push(aql`FILTER ${v}.status == ${plan.status}`);
  if (plan.job_id !== undefined) parts.push(aql`FILTER ${v}.job_id == ${plan.job_id}`);
  const c = plan.after;
  if (c) {
    parts.push(aql`FILTER ${v}.priority < ${c.priority} OR (${v}.priority == ${c.priority} AND
      (${v}.created_at > ${c.created_at} OR (${v}.created_at == ${c.created_at} AND ${v}._key > ${c.task_id})))`);
  }
  return join(parts, " ");
}

/** One task by id from whichever queue's collection holds it. */
export function getTaskQuery(db: Database, queues: readonly QueueName[], id: string): AqlQuery<TaskDoc> {
  const subs = queues.map(
    (q) => aql`(FOR x IN ${db.collection(taskCollection(q))} FILTER x._key == ${id} RETURN x)`,
  );
  return aql`FOR t IN UNION(${join(subs, ", ")}) LIMIT 1 RETURN ${clean(taskVar)}`;
}

/** A page of tasks (limit + 1 rows, so the caller knows whether another page follows). */
export function listTasksQuery(db: Database, plan: TaskListPlan): AqlQuery<TaskDoc> {
  const n = plan.limit + 1;
  const subs = plan.queues.map(
    (q) => aql`(FOR x IN ${db.collection(taskCollection(q))}
      ${taskFilters(innerVar, plan)} ${taskOrder(innerVar)} LIMIT ${n} RETURN x)`,
  );
  const source = subs.length === 1 ? subs[0] : aql`UNION(${join(subs, ", ")})`;
  return aql`FOR t IN ${source} ${taskOrder(taskVar)} LIMIT ${n} RETURN ${clean(taskVar)}`;
}

/** Critiques matching the filters, newest first. */
export function qualityQuery(db: Database, q: QualityQuery): AqlQuery<QualityEntry> {
  const v = literal("q");
  const parts: AqlQuery[] = [];
  if (q.spec_key !== undefined) parts.push(aql`FILTER q.spec_key == ${q.spec_key}`);
  if (q.job_id !== undefined) parts.push(aql`FILTER q.job_id == ${q.job_id}`);
  if (q.model !== undefined) parts.push(aql`FILTER q.model == ${q.model}`);
  if (q.from !== undefined) parts.push(aql`FILTER q.occurred_at >= ${q.from}`);
  if (q.to !== undefined) parts.push(aql`FILTER q.occurred_at < ${q.to}`);
  if (q.iterations !== undefined) parts.push(aql`FILTER q.iteration IN ${q.iterations}`);
  return aql`FOR q IN ${db.collection("quality_history")} ${join(parts, " ")}
    SORT q.occurred_at DESC, q.seq DESC LIMIT ${qualityLimit(q)} RETURN ${clean(v)}`;
}

/** A page of job rows, newest first (limit + 1 rows), without iterations and with the spec cut. */
export function listJobsQuery(db: Database, plan: JobListPlan): AqlQuery<JobRow> {
  const parts: AqlQuery[] = [];
  if (plan.status !== undefined) parts.push(aql`FILTER j.status == ${plan.status}`);
  if (plan.from !== undefined) parts.push(aql`FILTER j.created_at >= ${plan.from}`);
  if (plan.to !== undefined) parts.push(aql`FILTER j.created_at < ${plan.to}`);
  if (plan.ids !== undefined) parts.push(aql`FILTER j._key IN ${plan.ids}`);
  if (plan.text !== undefined) parts.push(aql`FILTER CONTAINS(LOWER(j.spec), ${plan.text})`);
  const c = plan.after;
  if (c)
    parts.push(
      aql`FILTER j.created_at < ${c.created_at} OR (j.created_at == ${c.created_at} AND j._key < ${c.job_id})`,
    );
  return aql`FOR j IN ${db.collection("jobs")} ${join(parts, " ")}
    SORT j.created_at DESC, j._key DESC LIMIT ${plan.limit + 1}
    RETURN MERGE(UNSET(j, "_id", "_rev", "best_tasks", "spec"),
      { spec: j.spec == null ? null : SUBSTRING(j.spec, 0, ${SPEC_EXCERPT}), spec_chars: LENGTH(j.spec) })`;
}

/** A job's tasks in some iterations, in dispatch order. */
export function jobTasksQuery(
  db: Database,
  queues: readonly QueueName[],
  jobId: string,
  iterations: readonly number[],
): AqlQuery<TaskDoc> {
  const subs = queues.map(
    (q) => aql`(FOR x IN ${db.collection(taskCollection(q))}
      FILTER x.job_id == ${jobId} AND x.iteration IN ${iterations} RETURN x)`,
  );
  return aql`FOR t IN UNION(${join(subs, ", ")}) ${taskOrder(taskVar)} RETURN ${clean(taskVar)}`;
}

// Filters shared by both series: the window and the optional spec, model and job.
function seriesFilters(v: Var, q: SeriesQuery, model: AqlQuery): AqlQuery {
  const parts: AqlQuery[] = [aql`FILTER ${v}.occurred_at >= ${q.from} AND ${v}.occurred_at < ${q.to}`];
  if (q.spec_key !== undefined) parts.push(aql`FILTER ${v}.spec_key == ${q.spec_key}`);
  if (q.model !== undefined) parts.push(aql`FILTER ${model} == ${q.model}`);
  if (q.job_id !== undefined) parts.push(aql`FILTER ${v}.job_id == ${q.job_id}`);
  return join(parts, " ");
}

/** Critiques per (bucket, group): counts and score sums. */
export function qualitySeriesQuery(db: Database, q: SeriesQuery): AqlQuery<QualityPoint> {
  const v = literal("q");
  const model = aql`NOT_NULL(q.target_model, q.model)`;
  const key = q.group === "model" ? model : aql`NOT_NULL(q.spec_key, ${NO_SPEC})`;
  return aql`FOR q IN ${db.collection("quality_history")} ${seriesFilters(v, q, model)}
    COLLECT t = FLOOR(DATE_TIMESTAMP(q.occurred_at) / ${q.bucket_ms}) * ${q.bucket_ms}, key = ${key}
    AGGREGATE count = LENGTH(1), compliance = SUM(q.compliance), uniqueness = SUM(q.uniqueness),
      quality = SUM(q.quality)
    RETURN { t, key, count, compliance, uniqueness, quality }`;
}

/** Runs per (bucket, group): counts, spend and tokens. */
export function costSeriesQuery(db: Database, q: SeriesQuery): AqlQuery<CostPoint> {
  const v = literal("r");
  const key = q.group === "model" ? aql`r.model` : aql`NOT_NULL(r.spec_key, ${NO_SPEC})`;
  return aql`FOR r IN ${db.collection("run_costs")} ${seriesFilters(v, q, aql`r.model`)}
    COLLECT t = FLOOR(DATE_TIMESTAMP(r.occurred_at) / ${q.bucket_ms}) * ${q.bucket_ms}, key = ${key}
    AGGREGATE runs = LENGTH(1), cost_usd = SUM(r.cost_usd), input_tokens = SUM(r.input_tokens),
      output_tokens = SUM(r.output_tokens)
    RETURN { t, key, runs, cost_usd, input_tokens, output_tokens }`;
}

/** One spec excerpt per spec key that some job carries. */
export function specExcerptsQuery(
  db: Database,
  keys: readonly string[],
): AqlQuery<{ k: string; spec: string }> {
  return aql`FOR j IN ${db.collection("jobs")} FILTER j.spec_key IN ${keys} AND j.spec != null
    COLLECT k = j.spec_key INTO specs = j.spec
    RETURN { k, spec: SUBSTRING(FIRST(specs), 0, ${SPEC_EXCERPT}) }`;
}
