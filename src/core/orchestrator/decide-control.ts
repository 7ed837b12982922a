// Decisions on control commands (stop, resume, cancel, pause, retry) published on agents.control.*.
import { type AgentEvent, newEvent, Subjects } from "../events/index.ts";
import { TaskStatus } from "../lifecycle/index.ts";
import type { Command, DecideContext, OrchestratorInput } from "./commands.ts";
import { cancelTask } from "./decide-job.ts";
import { isStopped, type OrchestratorState } from "./state.ts";
import { appendToJob, appendToTask } from "./tasks.ts";

/** Turn a control command into recorded events. */
export function decideControl(
  state: OrchestratorState,
  input: Extract<OrchestratorInput, { kind: "control" }>,
  ctx: DecideContext,
): Command[] {
  const c = input.body;
  const cause = `control-${input.seq}`;
  const system = (event: AgentEvent): Command => ({ kind: "append", subject: Subjects.system, event });
  const meta = { causation_id: cause, now: ctx.now };
  const paused = (q: string) => Object.hasOwn(state.system.paused, q);
  switch (c.type) {
    case "stop":
      return isStopped(state) ? [] : [system(newEvent("system.stopped", { reason: c.reason }, meta))];
    case "resume":
      return isStopped(state) ? [system(newEvent("system.resumed", { reason: c.reason }, meta))] : [];
    case "pause":
      return paused(c.queue)
        ? []
        : [system(newEvent("queue.paused", { queue: c.queue, reason: c.reason }, meta))];
    case "unpause":
      return paused(c.queue) ? [system(newEvent("queue.resumed", { queue: c.queue }, meta))] : [];
    case "cancel": {
      if (c.task_id) return cancelTask(state.tasks.get(c.task_id), c.reason, cause, ctx);
      const job = c.job_id ? state.jobs.get(c.job_id) : undefined;
      if (job?.status !== "active") return [];
      return [appendToJob(job.job_id, "job.cancelled", { reason: c.reason }, cause, ctx)];
    }
    case "retry":
      return decideRetry(state, c.task_id, c.reason, cause, ctx);
    default: {
      const never: never = c;
      throw new Error(`unknown control command ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Retry a dead-lettered task: its iteration (and its job, if it had completed) is re-opened, then
 * the task is queued for one more attempt. Anything else (a task that is not dead-lettered, a
 * cancelled job) is refused by doing nothing; the gateway answers 409 before it gets here.
 */
function decideRetry(
  state: OrchestratorState,
  taskId: string,
  reason: string,
  cause: string,
  ctx: DecideContext,
): Command[] {
  const task = state.tasks.get(taskId);
  const job = task ? state.jobs.get(task.job_id) : undefined;
  if (!task || !job || task.status !== TaskStatus.DeadLettered || job.status === "cancelled") return [];
  const iteration = task.created.iteration;
  const out: Command[] = [];
  if (job.status !== "active" || job.iterations.get(iteration)?.status !== "running") {
    const data = { iteration, task_id: taskId, reason, was_completed: job.status === "completed" };
    out.push(appendToJob(job.job_id, "job.reopened", data, cause, ctx));
  }
  out.push(appendToTask(task, "task.requeued", { attempt: task.attempt + 1, reason }, cause, ctx));
  return out;
}
