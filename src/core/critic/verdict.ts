// The critic's decision once its agent answered: the critique parsed strictly, a near-duplicate of
// an earlier iteration scored down, and the events that record it. Pure: the critic shell
// (src/actors/critic) reads the outputs to compare and appends what this returns.
import type { EventData } from "../events/index.ts";
import { taskTypeFromId } from "../ids.ts";
import type { TaskState } from "../lifecycle/index.ts";
import { type CritiqueParse, critiquePasses } from "../protocol/critique.ts";
import { AttachmentLabel } from "../protocol/labels.ts";
import { mostSimilar, NEAR_DUPLICATE_THRESHOLD } from "../protocol/similarity.ts";
import type { RunFields, RunOutcome } from "../worker/outcome.ts";

type Attachment = { label: string; ref: string; inline?: string | undefined };

/** The reviewed output and the earlier outputs to compare it with, among a critic task's attachments. */
export function comparedAttachments(attachments: readonly Attachment[]): {
  reviewed: Attachment | undefined;
  earlier: Attachment[];
} {
  return {
    reviewed: attachments.find((a) => a.label === AttachmentLabel.Output),
    earlier: attachments.filter((a) => a.label.startsWith(AttachmentLabel.Compare)),
  };
}

export type NearDuplicate = { label: string; similarity: number };

/** The earlier output the reviewed one nearly duplicates, if any. */
export function nearDuplicateOf(
  text: string,
  earlier: ReadonlyArray<{ label: string; text: string }>,
): NearDuplicate | undefined {
  const best = mostSimilar(text, earlier);
  return best && best.similarity >= NEAR_DUPLICATE_THRESHOLD ? best : undefined;
}

export type CritiqueInput = {
  task: Pick<TaskState, "task_id" | "created">;
  attempt: number;
  /** The critic agent's answer, and how it parsed. */
  output: string;
  parsed: CritiqueParse;
  fields: RunFields;
  /** Found only for a parsed critique with earlier outputs to compare. */
  duplicate: NearDuplicate | undefined;
};

/** What the critic records on the job's subject, and how its own task ends. */
export type CritiqueVerdict =
  | { job: { type: "critique.recorded"; data: EventData<"critique.recorded"> }; outcome: RunOutcome }
  | { job: { type: "critique.unparseable"; data: EventData<"critique.unparseable"> }; outcome: RunOutcome };

/** critique.recorded (then the task completes) or critique.unparseable (then it fails and is retried). */
export function critiqueVerdict(i: CritiqueInput): CritiqueVerdict {
  const { task, fields } = i;
  const target = task.created.target_task_id ?? task.created.parent_task_id ?? "";
  if (!i.parsed.ok) {
    const data = {
      critic_task_id: task.task_id,
      target_task_id: target,
      iteration: task.created.iteration,
      reason: i.parsed.reason,
      excerpt: i.output.slice(0, 2000),
    };
    const failure: EventData<"task.failed"> = {
      attempt: i.attempt,
      reason: "critique_unparseable",
      error: `critique unparseable: ${i.parsed.reason}`,
      duration_ms: fields.duration_ms,
      cost_usd: fields.cost_usd,
      usage: fields.usage,
      model: fields.model,
    };
    return { job: { type: "critique.unparseable", data }, outcome: { type: "task.failed", data: failure } };
  }
  const dup = i.duplicate;
  const c = dup
    ? {
        ...i.parsed.value,
        uniqueness: 1,
        critique: `${i.parsed.value.critique}\n[near-duplicate: ${dup.similarity.toFixed(2)} similar to ${dup.label}]`,
      }
    : i.parsed.value;
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
  return { job: { type: "critique.recorded", data }, outcome: { type: "task.completed", data: fields } };
}
