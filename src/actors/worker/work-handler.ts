// Handle one work message: claim the task (optimistic concurrency), run it, record how it ended.
import { ConcurrencyError } from "../../core/errors.ts";
import { eventFrom, newEvent, Subjects, type WorkItem } from "../../core/events/index.ts";
import { TaskStatus } from "../../core/lifecycle/index.ts";
import { ArtifactKeys } from "../../core/ports/artifact-store.ts";
import { type Delivery, settle } from "../../core/ports/delivery.ts";
import type { Executor } from "../../core/ports/executor.ts";
import { type Route, routeFor } from "../../core/providers/routes.ts";
import { decideAfterRun, type TaskEventBody } from "../../core/worker/after-run.ts";
import { decideClaim } from "../../core/worker/claim.ts";
import { promptRecord } from "../../core/worker/prompt-record.ts";
import { loadTask } from "./load-task.ts";
import type { RunnerDeps } from "./runner-types.ts";
import { createHandle, type RunningHandle } from "./task-handle.ts";
import { buildPrompt, runTask } from "./task-runner.ts";

/** The worker's, one for all its work items: its running tasks (which its heartbeat covers). */
export type WorkContext = {
  running: Map<string, RunningHandle>;
  isStopped(): boolean;
};

/** Claim and run the task a work item names; always leaves its message acked or nak'd (or to its new owner). */
export async function handleWork(deps: RunnerDeps, d: Delivery<WorkItem>, ctx: WorkContext): Promise<void> {
  const item = d.item;
  // The task's ids go on each line logged, not into a child logger: most items log nothing.
  const ids = { job_id: item.job_id, task_id: item.task_id };
  const log = deps.log;
  for (let tries = 0; tries < 5; tries++) {
    if (ctx.isStopped()) return d.nak(1000);
    // The first try trusts the item (no read of the task); a ConcurrencyError sends us back here.
    const task = await loadTask(deps.events, item, tries === 0 && !d.redelivered);
    const claim = decideClaim({
      item,
      status: task?.status ?? null,
      attempt: task?.attempt ?? 0,
      redelivered: d.redelivered,
      now: Date.now(),
    });
    const meta = { job_id: item.job_id, task_id: item.task_id, correlation_id: item.job_id, now: Date.now() };
    try {
      switch (claim.kind) {
        case "drop":
          log.debug({ ...ids, why: claim.why }, "work item dropped");
          return await d.ack();
        case "later":
          return d.nak(claim.delayMs);
        case "cancel": {
          const e = newEvent("task.cancelled", { reason: "cancelled before start" }, meta);
          await deps.events.append(Subjects.task(item.task_id), e, { expectedSeq: task?.seq ?? 0 });
          return await d.ack();
        }
        case "start": {
          if (!task) return;
          // The lane says which executor runs it; items from before routing go by the task's model.
          const route = item.route ?? routeFor(task.model, deps.routes);
          const executor = deps.executors.forRoute(route);
          if (!executor || !deps.executors.available(route)) {
            // Not an attempt: this worker cannot run it now (another one may, or later).
            log.debug({ ...ids, route }, "work item put back: its executor is not available here");
            return d.nak(executor ? deps.executors.unavailableFor(route) : 5000);
          }
          const attempt = Math.max(item.attempt, task.attempt, 1);
          const prompt = await buildPrompt(deps, task);
          const asSent = promptRecord(
            task.created.prompt,
            prompt,
            ArtifactKeys.prompt(task.task_id, attempt),
          );
          if (asSent.store) await deps.artifacts.putText(asSent.store, prompt);
          const data = {
            attempt,
            worker_id: deps.workerId,
            executor: executor.name,
            model: task.model,
            ...asSent.fields,
            reclaimed: claim.reclaimed,
          };
          const ack = await deps.events.append(
            Subjects.task(item.task_id),
            newEvent("task.started", data, meta),
            {
              expectedSeq: task.seq,
            },
          );
          const h = createHandle(
            deps,
            { ...task, status: TaskStatus.Running, seq: ack.seq, attempt },
            attempt,
          );
          deps.metrics.claimed(labelsOf(h), claim.reclaimed, queueWaitSeconds(d, task.status));
          log.info(
            { ...ids, attempt, reclaimed: claim.reclaimed, type: task.created.task_type, route },
            "task started",
          );
          // Not awaited here: this frame (its claim's locals) ends now instead of waiting out the
          // whole run. Nothing after the claim can be a ConcurrencyError to retry the claim for
          // (the handle re-reads on conflict), and a run must never be claimed again anyway.
          return runClaimed(deps, { executor, route }, h, d, prompt, ctx);
        }
        default: {
          const never: never = claim;
          throw new Error(`unknown claim ${JSON.stringify(never)}`);
        }
      }
    } catch (err) {
      if (err instanceof ConcurrencyError) continue;
      throw err;
    }
  }
  d.nak(500);
}

/** Run a claimed task with heartbeats, then record what the after-run decider says and settle the message. */
async function runClaimed(
  deps: RunnerDeps,
  on: { executor: Executor; route: Route },
  h: RunningHandle,
  d: Delivery<WorkItem>,
  prompt: string,
  ctx: WorkContext,
): Promise<void> {
  const started = Date.now();
  // From here the worker's heartbeat (heartbeat.ts) extends the message and records progress.
  h.beat = { delivery: d, startedAt: started, lastProgressAt: started };
  ctx.running.set(h.task.task_id, h);
  deps.metrics.running(h.task.created.queue, 1);
  try {
    const end = await runTask(deps, on.executor, h, prompt, d);
    const next = decideAfterRun({
      task: h.task,
      attempt: h.attempt,
      workerId: deps.workerId,
      route: on.route,
      routes: deps.routes,
      stop: h.stopReason,
      end,
      now: Date.now(),
    });
    if (next.throttle) await deps.models.slowDown(next.throttle.model, next.throttle.ms);
    deps.executors.afterRun(on.route, h.task.model, next, end.kind !== "threw");
    const recorded: TaskEventBody[] = [];
    for (const e of next.events) if (await h.append(eventFrom(e, h.meta()))) recorded.push(e);
    deps.metrics.ran(labelsOf(h), next, recorded, h.stopReason, (Date.now() - started) / 1000);
    await settle(d, next.delivery);
  } finally {
    h.beat = undefined;
    // No append may outlive the task's handling: a stopping worker closes its connection next.
    await h.settled();
    ctx.running.delete(h.task.task_id);
    deps.metrics.running(h.task.created.queue, -1);
  }
}

/** The bounded labels of a run: task type, queue, and the model it runs on. */
function labelsOf(h: RunningHandle) {
  return { type: h.task.created.task_type, queue: h.task.created.queue, model: h.task.model };
}

/**
 * Seconds from the item's dispatch (or the not-before of its retry) to now, when this is the first
 * run of a queued task only: an interrupted or reclaimed task waited through an earlier run too.
 * (A redelivery does not rule it out: a retry's item is put back until its not-before first.)
 */
function queueWaitSeconds(d: Delivery<WorkItem>, status: TaskStatus): number | undefined {
  if (status !== TaskStatus.Queued) return undefined;
  const from = Math.max(d.storedAt, d.item.not_before ? Date.parse(d.item.not_before) : 0);
  return Math.max(0, Date.now() - from) / 1000;
}
