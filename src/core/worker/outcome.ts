// Turn an agent run (its result or its error) into the task's next event. Pure.

import type { ExecutorResult } from "../../executors/index.ts";
import { type ExecutorError, errorMessage } from "../errors.ts";
import type { EventData } from "../events/index.ts";

export type RunOutcome =
  | { type: "task.completed"; data: EventData<"task.completed"> }
  | { type: "task.handoff_requested"; data: EventData<"task.handoff_requested"> }
  | { type: "task.failed"; data: EventData<"task.failed"> }
  | { type: "validation.failed"; data: EventData<"validation.failed"> };

/** The shared fields of a finished run. */
export function runFields(result: ExecutorResult, outputRef: string, durationMs: number) {
  return {
    output_ref: outputRef,
    output_bytes: Buffer.byteLength(result.output),
    duration_ms: durationMs,
    model: result.model,
    usage: result.usage,
    cost_usd: result.cost_usd,
    ...(result.session_id ? { session_id: result.session_id } : {}),
    ...(result.num_turns !== undefined ? { num_turns: result.num_turns } : {}),
    offline: result.offline === true,
    excerpt: excerptOf(result.output),
  };
}

/** A failure event for an executor error. */
export function failureFrom(
  err: ExecutorError,
  attempt: number,
  durationMs: number,
  model: string,
): RunOutcome {
  return {
    type: "task.failed",
    data: {
      attempt,
      reason: err.reason,
      error: errorMessage(err).slice(0, 4000),
      duration_ms: durationMs,
      cost_usd: 0,
      model,
    },
  };
}

/** A failure event for anything else that went wrong around the run. */
export function internalFailure(
  reason: EventData<"task.failed">["reason"],
  message: string,
  attempt: number,
  durationMs: number,
): RunOutcome {
  return {
    type: "task.failed",
    data: { attempt, reason, error: message.slice(0, 4000), duration_ms: durationMs, cost_usd: 0 },
  };
}

/** The first few hundred characters without the offline label or blank lines. */
export function excerptOf(output: string): string {
  const text = output.replace(/\s+/g, " ").trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
