// What a finished agent run records: the fields every outcome event shares, and the outcome events.
import { type EventData, INLINE_OUTPUT_BYTES } from "../events/index.ts";
import type { ExecutorResult } from "../ports/executor.ts";

/** The event that records how a run ended. */
export type RunOutcome =
  | { type: "task.completed"; data: EventData<"task.completed"> }
  | { type: "task.handoff_requested"; data: EventData<"task.handoff_requested"> }
  | { type: "task.failed"; data: EventData<"task.failed"> }
  | { type: "validation.failed"; data: EventData<"validation.failed"> };

/** The fields of a finished run: exactly a task.completed's data. */
export type RunFields = EventData<"task.completed">;

/** Whether an output travels inline in its outcome event rather than in the object store. */
export function outputInline(output: string): boolean {
  return Buffer.byteLength(output) <= INLINE_OUTPUT_BYTES;
}

/** Files the agent wrote, as kept in the artifact store. */
export type KeptArtifacts = { entries: NonNullable<RunFields["artifacts"]>; skipped: number };

/**
 * The shared fields of a finished run; the output is carried inline when it is small
 * (outputInline), else it is stored under `outputRef`.
 */
export function runFields(
  result: ExecutorResult,
  outputRef: string,
  durationMs: number,
  artifacts?: KeptArtifacts,
): RunFields {
  return {
    output_ref: outputRef,
    ...(outputInline(result.output) ? { output_inline: result.output } : {}),
    output_bytes: Buffer.byteLength(result.output),
    duration_ms: durationMs,
    model: result.model,
    usage: result.usage,
    cost_usd: result.cost_usd,
    ...(result.unpriced ? { unpriced: true } : {}),
    ...(result.model_usage?.length ? { model_usage: result.model_usage } : {}),
    ...(result.session_id ? { session_id: result.session_id } : {}),
    ...(result.num_turns !== undefined ? { num_turns: result.num_turns } : {}),
    offline: result.offline === true,
    excerpt: excerptOf(result.output),
    ...(result.permission_denials?.length ? { permission_denials: result.permission_denials } : {}),
    ...(artifacts?.entries.length ? { artifacts: artifacts.entries } : {}),
    ...(artifacts?.skipped ? { artifacts_skipped: artifacts.skipped } : {}),
    ...(result.truncated ? { truncated: true } : {}),
  };
}

/** The first few hundred characters without the offline label or blank lines. */
export function excerptOf(output: string): string {
  const text = output.replace(/\s+/g, " ").trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** task.progress's data from how long a run has gone and the agent's last report. */
export function progressData(
  elapsedMs: number,
  p:
    | {
        turns?: number;
        output_tokens?: number;
        message?: string;
        waiting?: EventData<"task.progress">["waiting"];
      }
    | undefined,
): EventData<"task.progress"> {
  return {
    elapsed_ms: elapsedMs,
    ...(p?.turns !== undefined ? { turns: p.turns } : {}),
    ...(p?.output_tokens !== undefined ? { output_tokens: p.output_tokens } : {}),
    ...(p?.message ? { message: p.message.slice(0, 500) } : {}),
    ...(p?.waiting ? { waiting: p.waiting } : {}),
  };
}
