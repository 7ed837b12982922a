// Every id the system derives, in one place: job ids from idempotency keys, task ids from their
// place in a job, the spec key that groups quality history, and the stable hash behind them all.
// Derived, never random: a decision replayed after a crash names the same job, task and event.
import { createHash } from "node:crypto";
import type { TaskType } from "./events/catalogue/shared.ts";

/** A short stable id from its parts (sha256, base64url, 22 chars). */
export function stableId(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("base64url").slice(0, 22);
}

/** The job id for an idempotency key: the same key always names the same job. */
export function jobIdFor(idempotencyKey: string): string {
  return `j${stableId("job", idempotencyKey)
    .slice(0, 15)
    .replace(/[^A-Za-z0-9]/g, "x")}`;
}

const KIND_LETTER: Record<TaskType, string> = {
  generator: "g",
  continuation: "k",
  critic: "c",
  reviser: "r",
};

const LETTER_KIND: Record<string, TaskType> = {
  g: "generator",
  k: "continuation",
  c: "critic",
  r: "reviser",
};

/** Task ids are derived, never random: a replayed decision names the same task. */
export function taskIdFor(jobId: string, iteration: number, type: TaskType, ordinal: number): string {
  return `${jobId}-i${iteration}-${KIND_LETTER[type]}${type === "generator" ? "" : ordinal}`;
}

/** The task type encoded in a derived task id (see taskIdFor). */
export function taskTypeFromId(taskId: string): TaskType | undefined {
  const m = /-i\d+-([gkcr])\d*$/.exec(taskId);
  return m?.[1] ? LETTER_KIND[m[1]] : undefined;
}

/** The job a derived task id belongs to (see taskIdFor), or undefined for any other id. */
export function jobIdFromTaskId(taskId: string): string | undefined {
  return /^(.+)-i\d+-[gkcr]\d*$/.exec(taskId)?.[1];
}

/** A short key for a spec's text, so quality history groups by spec (orchestrator and projections). */
export function specKey(spec: string): string {
  return stableId("spec", spec.trim()).slice(0, 16);
}
