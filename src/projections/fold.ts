// Fold a run of stream messages into one batch of document changes. Each event goes through every
// read model it concerns, in stream order; a document whose `seq` is at or past the event's already
// holds it, so folding any range again changes nothing.
import { type AgentEvent, QueueName } from "../core/events/index.ts";
import { TaskStatus } from "../core/lifecycle/index.ts";
import { contextAt, type FoldContext } from "./context.ts";
import { evolveCostByModel, modelKey, runModel, runShares } from "./cost-by-model/evolve.ts";
import { DocCache, type DocReader } from "./doc-cache.ts";
import { evolveJobProgress } from "./job-progress/evolve.ts";
import { evolveQualityHistory, qualityKey } from "./quality-history/evolve.ts";
import { cellKey, changedCells, evolveQueueSummary } from "./queue-summary/evolve.ts";
import { evolveRejections, rejectionKey } from "./rejections/evolve.ts";
import { evolveRunCosts, runCostKey } from "./run-costs/evolve.ts";
import type { Batch, CollectionName, Collections } from "./store.ts";
import { evolveSystemState, isSystemStateEvent, SYSTEM_KEY } from "./system-state/evolve.ts";
import { evolveTaskDetails, isTaskEvent, type TaskEvent } from "./task-details/evolve.ts";

/** One stream message: the event, or null when it is not an event (it only advances the checkpoint). */
export type Applicable = { seq: number; event: AgentEvent | null };

const ALL_CELLS = QueueName.options.flatMap((queue) =>
  Object.values(TaskStatus).map((status) => cellKey({ queue, status })),
);

/** Plan the batch for `items` (stream order) against the store's documents, ending at `checkpoint`. */
export async function planBatch(
  reader: DocReader,
  items: readonly Applicable[],
  checkpoint: number,
): Promise<Batch> {
  const cache = new DocCache(reader);
  await prefetch(cache, items);
  for (const { seq, event } of items) if (event) await foldEvent(cache, event, seq);
  return cache.toBatch(checkpoint);
}

// Load what the batch touches in a few reads instead of one per event.
async function prefetch(cache: DocCache, items: readonly Applicable[]): Promise<void> {
  const tasks = new Set<string>();
  const jobs = new Set<string>();
  const models = new Set<string>();
  const runs = new Set<string>();
  let system = false;
  for (const { event } of items) {
    if (!event) continue;
    if (event.job_id) jobs.add(event.job_id);
    if (isTaskEvent(event) && event.task_id) tasks.add(event.task_id);
    if (event.type === "critique.recorded") tasks.add(event.data.target_task_id);
    const model = runModel(event, contextAt(0));
    for (const share of runShares(event, contextAt(0))) models.add(modelKey(share.model));
    if (model !== null) runs.add(runCostKey(event));
    system ||= isSystemStateEvent(event);
  }
  await cache.prefetchTasks(tasks);
  await cache.prefetch("jobs", jobs);
  await cache.prefetch("model_costs", models);
  await cache.prefetch("run_costs", runs);
  if (system) await cache.prefetch("system_state", [SYSTEM_KEY]);
  await cache.prefetch("queue_summary", ALL_CELLS);
}

/** Route one event to the read models it concerns. */
async function foldEvent(cache: DocCache, event: AgentEvent, seq: number): Promise<void> {
  switch (event.type) {
    case "task.created":
    case "task.queued":
    case "task.started":
    case "task.progress":
    case "task.handoff_requested":
    case "task.completed":
    case "task.failed":
    case "validation.failed":
    case "task.retry_scheduled":
    case "task.dead_lettered":
    case "task.cancel_requested":
    case "task.cancelled":
    case "task.interrupted":
    case "task.requeued":
      return foldTaskEvent(cache, event, seq);
    case "critique.recorded":
      return foldCritique(cache, event, seq);
    case "job.rejected":
      await update(cache, "rejections", rejectionKey(event), seq, evolveRejections, event, contextAt(seq));
      return foldJobEvent(cache, event, seq);
    case "job.submitted":
    case "job.accepted":
    case "job.wave_planned":
    case "job.iteration_ended":
    case "job.completed":
    case "job.cancelled":
    case "job.budget_exceeded":
    case "job.reopened":
    case "critique.unparseable":
      return foldJobEvent(cache, event, seq);
    case "message.rejected":
      await update(cache, "rejections", rejectionKey(event), seq, evolveRejections, event, contextAt(seq));
      return;
    case "system.stopped":
    case "system.resumed":
    case "queue.paused":
    case "queue.resumed":
      await update(cache, "system_state", SYSTEM_KEY, seq, evolveSystemState, event, contextAt(seq));
      return;
    case "model.day_budget_spent":
      // Shown from the limits bucket (GET /v1/agents/limits) and the stream; no read model folds it.
      return;
    default: {
      const never: never = event;
      throw new Error(`unrouted event ${JSON.stringify(never)}`);
    }
  }
}

async function foldTaskEvent(cache: DocCache, event: TaskEvent, seq: number): Promise<void> {
  if (!event.task_id) return;
  const before = await cache.getTask(event.task_id);
  if (before && before.seq >= seq) return;
  const after = evolveTaskDetails(before, event, contextAt(seq));
  // Unchanged: an event the lifecycle does not allow here (a duplicate or out of order); nothing moves.
  if (after === before) return;
  const task = { before, after };
  const ctx: FoldContext = { ...contextAt(seq), task };
  const queue = (after ?? before)?.queue;
  if (queue) cache.putTask(queue, event.task_id, after);
  const jobId = event.job_id ?? after?.job_id ?? before?.job_id;
  if (jobId) await update(cache, "jobs", jobId, seq, evolveJobProgress, event, ctx);
  for (const cell of changedCells(ctx))
    await update(cache, "queue_summary", cellKey(cell), seq, evolveQueueSummary, cell, ctx);
  for (const share of runShares(event, ctx))
    await update(cache, "model_costs", modelKey(share.model), seq, evolveCostByModel, { event, share }, ctx);
  if (runModel(event, ctx) === null) return;
  // The run's spec comes from its job document (the job is always folded before its tasks).
  const job = jobId ? await cache.get("jobs", jobId) : null;
  await update(cache, "run_costs", runCostKey(event), seq, evolveRunCosts, event, { ...ctx, job });
}

async function foldCritique(cache: DocCache, event: AgentEvent & { type: "critique.recorded" }, seq: number) {
  const key = qualityKey(event);
  const existing = await cache.get("quality_history", key);
  // Already recorded, here or at an earlier sequence (the same event published twice): count it once.
  if (existing) return;
  const job = event.job_id ? await cache.get("jobs", event.job_id) : null;
  const ctx: FoldContext = { ...contextAt(seq), job, target: await cache.getTask(event.data.target_task_id) };
  await update(cache, "quality_history", key, seq, evolveQualityHistory, event, ctx);
  await foldJobEvent(cache, event, seq);
}

async function foldJobEvent(cache: DocCache, event: AgentEvent, seq: number): Promise<void> {
  if (!event.job_id) return;
  await update(cache, "jobs", event.job_id, seq, evolveJobProgress, event, contextAt(seq));
}

// Apply an evolve unless the document already holds this event (no closure per call: this is the hot path).
async function update<C extends CollectionName, A, B>(
  cache: DocCache,
  collection: C,
  key: string,
  seq: number,
  evolve: (doc: Collections[C] | null, a: A, b: B) => Collections[C] | null,
  a: A,
  b: B,
): Promise<void> {
  const doc = await cache.get(collection, key);
  if (doc && doc.seq >= seq) return;
  const next = evolve(doc, a, b);
  if (next !== doc) cache.put(collection, key, next);
}
