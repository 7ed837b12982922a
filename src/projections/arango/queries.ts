// The queries in AQL, bind variables only (the `aql` tag binds every value and collection); they
// mirror the in-memory queries beside each read model.
import type { Database } from "arangojs";
import { type AqlQuery, aql, join, literal } from "arangojs/aql";
import type { QueueName } from "../../core/events/index.ts";
import type { QualityEntry } from "../quality-history/evolve.ts";
import { type QualityQuery, qualityLimit } from "../quality-history/query.ts";
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
  return aql`FOR q IN ${db.collection("quality_history")} ${join(parts, " ")}
    SORT q.occurred_at DESC, q.seq DESC LIMIT ${qualityLimit(q)} RETURN ${clean(v)}`;
}
