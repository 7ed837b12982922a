// The handle of one running task: appends at its known sequence and notices cancels and takeovers.
import { ConcurrencyError } from "../../core/errors.ts";
import { type AgentEvent, Subjects } from "../../core/events/index.ts";
import type { TaskState } from "../../core/lifecycle/index.ts";
import type { RunnerDeps, RunProgress, StopReason, TaskHandle } from "./runner-types.ts";

/** Create the handle for a task this worker just started (its task.started is at `task.seq`). */
export function createHandle(deps: RunnerDeps, task: TaskState, attempt: number): TaskHandle {
  let chain: Promise<void> = Promise.resolve();
  let ended = false;
  const h: TaskHandle = {
    task,
    attempt,
    abort: new AbortController(),
    stopReason: undefined,
    meta: () => ({
      job_id: task.job_id,
      task_id: task.task_id,
      correlation_id: task.job_id,
      now: Date.now(),
    }),
    progress: undefined,
    onProgress: (p: RunProgress) => {
      h.progress = p;
    },
    append: (event: AgentEvent) => {
      if (event.type === "task.progress" && ended) return Promise.resolve(false);
      if (event.type !== "task.progress") ended = true;
      const next = chain.then(() => appendNow(event));
      chain = next.then(
        () => undefined,
        () => undefined,
      );
      return next;
    },
    settled: () => chain,
  };

  async function appendNow(event: AgentEvent): Promise<boolean> {
    if (event.type === "task.progress" && h.stopReason) return false;
    for (let tries = 0; tries < 3; tries++) {
      try {
        const ack = await deps.events.append(Subjects.task(task.task_id), event, { expectedSeq: h.task.seq });
        h.task = { ...h.task, seq: ack.seq };
        return true;
      } catch (err) {
        if (!(err instanceof ConcurrencyError)) throw err;
        const last = await deps.events.lastEvent(Subjects.task(task.task_id));
        if (!last) throw err;
        const e = last.event;
        if (e.type === "task.started" && e.data.worker_id !== deps.workerId) {
          stop(h, "lost");
          return false;
        }
        if (e.type === "task.cancel_requested") stop(h, "cancel");
        // Anything final (cancelled by the orchestrator, say) means there is nothing left to record.
        if (e.type === "task.cancelled" || e.type === "task.completed" || e.type === "task.dead_lettered") {
          stop(h, "lost");
          return false;
        }
        if (event.type === "task.progress") {
          h.task = { ...h.task, seq: last.seq };
          return false;
        }
        h.task = { ...h.task, seq: last.seq };
      }
    }
    return false;
  }
  return h;
}

/** Stop a running agent from outside; the first reason wins. */
export function stop(h: TaskHandle, reason: StopReason): void {
  if (h.stopReason) return;
  h.stopReason = reason;
  h.abort.abort(new Error(`task ${reason}`));
}
