// The critic's step after its agent answered: parse the critique strictly and record it.
import { newEvent, Subjects } from "../../core/events/index.ts";
import { stableId, taskTypeFromId } from "../../core/ids.ts";
import { critiquePasses, parseCritique } from "../../core/protocol/critique.ts";
import { COMPARE_LABEL, mostSimilar, NEAR_DUPLICATE_THRESHOLD } from "../../core/protocol/similarity.ts";
import type { RunOutcome, runFields } from "../../core/worker/outcome.ts";
import type { RunnerDeps, TaskHandle } from "../worker/runner-types.ts";

/** The reviewed output against earlier iterations' outputs attached for comparison. */
async function nearDuplicate(deps: RunnerDeps, h: TaskHandle) {
  const attachments = h.task.created.attachments;
  const reviewed = attachments.find((a) => a.label === "OUTPUT");
  const earlier = attachments.filter((a) => a.label.startsWith(COMPARE_LABEL));
  if (!reviewed || earlier.length === 0) return undefined;
  const text = await deps.artifacts.getText(reviewed.ref);
  const others = await Promise.all(
    earlier.map(async (a) => ({ label: a.label, text: await deps.artifacts.getText(a.ref) })),
  );
  const best = mostSimilar(text, others);
  return best && best.similarity >= NEAR_DUPLICATE_THRESHOLD ? best : undefined;
}

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
  const dup = await nearDuplicate(deps, h);
  const c = dup
    ? {
        ...parsed.value,
        uniqueness: 1,
        critique: `${parsed.value.critique}\n[near-duplicate: ${dup.similarity.toFixed(2)} similar to ${dup.label}]`,
      }
    : parsed.value;
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
    passed: !dup && critiquePasses(c),
    near_duplicate: Boolean(dup),
  };
  await deps.publisher.publish(Subjects.job(task.job_id), newEvent("critique.recorded", data, meta));
  return { type: "task.completed", data: fields };
}
