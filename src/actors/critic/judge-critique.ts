// The critic's step after its agent answered: parse the critique strictly and record it.
import { newEvent, Subjects, stableId } from "../../events/index.ts";
import { taskTypeFromId } from "../orchestrator/planning.ts";
import type { RunOutcome, runFields } from "../worker/outcome.ts";
import type { RunnerDeps, TaskHandle } from "../worker/runner-types.ts";
import { critiquePasses, parseCritique } from "./parse-critique.ts";

/** Record critique.recorded (then the task completes) or critique.unparseable (then it fails and retries). */
export async function judgeCritique(
  deps: RunnerDeps,
  h: TaskHandle,
  output: string,
  fields: ReturnType<typeof runFields>,
): Promise<RunOutcome> {
  const { task } = h;
  const target = task.created.target_task_id ?? task.created.parent_task_id ?? "";
  const meta = { ...h.meta(), id: stableId(task.task_id, String(h.attempt), "critique") };
  const parsed = parseCritique(output);
  if (!parsed.ok) {
    const data = {
      critic_task_id: task.task_id,
      target_task_id: target,
      iteration: task.created.iteration,
      reason: parsed.reason,
      excerpt: output.slice(0, 2000),
    };
    await deps.publisher.publish(Subjects.job(task.job_id), newEvent("critique.unparseable", data, meta));
    const error = `critique unparseable: ${parsed.reason}`;
    return {
      type: "task.failed",
      data: {
        attempt: h.attempt,
        reason: "critique_unparseable",
        error,
        duration_ms: fields.duration_ms,
        cost_usd: fields.cost_usd,
        usage: fields.usage,
        model: fields.model,
      },
    };
  }
  const c = parsed.value;
  const data = {
    critic_task_id: task.task_id,
    target_task_id: target,
    target_type: taskTypeFromId(target) ?? "generator",
    iteration: task.created.iteration,
    compliance: c.compliance,
    uniqueness: c.uniqueness,
    quality: c.quality,
    critique: c.critique.slice(0, 20_000),
    model: fields.model,
    passed: critiquePasses(c),
  };
  await deps.publisher.publish(Subjects.job(task.job_id), newEvent("critique.recorded", data, meta));
  return { type: "task.completed", data: fields };
}
