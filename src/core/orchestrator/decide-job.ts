// Job-level decisions: next wave or completion, iteration ends, budgets, cancelling tasks.
import { newEvent, Subjects } from "../events/index.ts";
import { type TaskState, TaskStatus } from "../lifecycle/index.ts";
import { nextWave } from "../submission/index.ts";
import type { Command, DecideContext } from "./commands.ts";
import { type JobState, openIterations } from "./state.ts";
import { appendToJob, appendToTask } from "./tasks.ts";

/** True once the job's spend reached its budget. */
export function overBudget(job: JobState): boolean {
  const b = job.submission.budget_usd;
  return job.budget_exceeded || (b !== undefined && job.cost_usd >= b);
}

/**
 * When no iteration is open and no task is still running: plan the next wave, or complete the job.
 * While an emergency stop is in force no wave is planned (stop means pause): the job waits, and
 * system.resumed decides again. A job re-opened by a retry plans nothing more and completes again.
 */
export function decideProgress(
  job: JobState,
  cause: string,
  ctx: DecideContext,
  stopped: boolean,
): Command[] {
  if (job.status !== "active" || job.wave_size === 0 || job.live_tasks > 0) return [];
  if (openIterations(job).length > 0) return [];
  const spent = overBudget(job);
  if (job.planned < job.max_iterations && !spent && job.completed_reason === undefined) {
    if (stopped) return [];
    const iterations = nextWave(job.planned, job.wave_size, job.max_iterations);
    return [appendToJob(job.job_id, "job.wave_planned", { wave: job.waves + 1, iterations }, cause, ctx)];
  }
  const its = [...job.iterations.values()];
  const reason =
    job.completed_reason ?? (spent ? "budget" : job.mode === "infinite" ? "max_iterations" : "all_done");
  const data = {
    iterations_passed: its.filter((i) => i.status === "passed").length,
    iterations_exhausted: its.filter((i) => i.status === "exhausted").length,
    iterations_failed: its.filter((i) => i.status === "failed" || i.status === "cancelled").length,
    cost_usd: job.cost_usd,
    reason,
  } as const;
  return [appendToJob(job.job_id, "job.completed", data, cause, ctx)];
}

/** Record the end of an iteration's chain. */
export function endIteration(
  job: JobState,
  iteration: number,
  outcome: "passed" | "exhausted" | "failed" | "cancelled",
  cause: string,
  ctx: DecideContext,
  bestTaskId?: string,
  reason?: string,
): Command {
  const data = {
    iteration,
    outcome,
    ...(bestTaskId ? { best_task_id: bestTaskId } : {}),
    ...(reason ? { reason: reason.slice(0, 2000) } : {}),
  };
  const event = newEvent("job.iteration_ended", data, {
    job_id: job.job_id,
    causation_id: `${cause}:it${iteration}`,
    correlation_id: job.job_id,
    now: ctx.now,
  });
  return { kind: "append", subject: Subjects.job(job.job_id), event };
}

/** Cancel one task: a running one is asked to stop (its worker kills the agent), others end at once. */
export function cancelTask(
  task: TaskState | undefined,
  reason: string,
  cause: string,
  ctx: DecideContext,
): Command[] {
  if (!task) return [];
  switch (task.status) {
    case TaskStatus.Running:
      return [appendToTask(task, "task.cancel_requested", { reason }, cause, ctx)];
    case TaskStatus.Pending:
    case TaskStatus.Queued:
    case TaskStatus.Failed:
    case TaskStatus.Interrupted:
      return [appendToTask(task, "task.cancelled", { reason }, cause, ctx)];
    default:
      return [];
  }
}
