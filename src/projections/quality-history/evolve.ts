// Read model of critiques (collection quality_history): one entry per critique with its three
// scores, text, model, time and spec key. Serves qualityHistory.
import type { AgentEvent, TaskType } from "../../core/events/index.ts";
import type { FoldContext } from "../context.ts";
import { docKey } from "../keys.ts";

export type QualityEntry = {
  _key: string;
  seq: number;
  job_id: string | null;
  spec_key: string | null;
  iteration: number;
  /** The judged task. */
  task_id: string;
  task_type: TaskType;
  critic_task_id: string;
  /** The model named by the critique event. */
  model: string;
  /** The model that produced the judged output, when its task is known. */
  target_model: string | null;
  compliance: number;
  uniqueness: number;
  quality: number;
  passed: boolean;
  near_duplicate: boolean;
  critique: string;
  occurred_at: string;
};

/** The key of a critique's entry: its event id, so a redelivered critique lands on the same entry. */
export function qualityKey(event: AgentEvent): string {
  return docKey(event.id);
}

/** Record a critique; any other event leaves the entry as it is. */
export function evolveQualityHistory(
  doc: QualityEntry | null,
  event: AgentEvent,
  ctx: FoldContext,
): QualityEntry | null {
  if (event.type !== "critique.recorded") return doc;
  const d = event.data;
  return {
    _key: qualityKey(event),
    seq: ctx.seq,
    job_id: event.job_id ?? ctx.job?.job_id ?? null,
    spec_key: ctx.job?.spec_key ?? null,
    iteration: d.iteration,
    task_id: d.target_task_id,
    task_type: d.target_type,
    critic_task_id: d.critic_task_id,
    model: d.model,
    target_model: ctx.target?.model ?? null,
    compliance: d.compliance,
    uniqueness: d.uniqueness,
    quality: d.quality,
    passed: d.passed,
    near_duplicate: d.near_duplicate ?? false,
    critique: d.critique,
    occurred_at: event.occurred_at,
  };
}
