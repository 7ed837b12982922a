// Pure planning rules from the brief: priorities, bands, queues and retry backoff (ids are in
// ../ids.ts, waves and caps in ../submission).
import type { Band, QueueName, TaskType } from "../events/index.ts";
import { stableId } from "../ids.ts";

/** Base priority: generator 1000 − N; critic, reviser, continuation 1000 − N + 500; plus the job's offset. */
export function priorityFor(type: TaskType, iteration: number, offset = 0): number {
  return 1000 - iteration + (type === "generator" ? 0 : 500) + offset;
}

/** Bands of the work stream by priority. */
export function bandFor(priority: number): Band {
  if (priority >= 1200) return "high";
  if (priority >= 800) return "normal";
  return "low";
}

/** Queue per task type; a job may send its generators to the heavy queue. */
export function queueFor(type: TaskType, generatorQueue: "standard" | "heavy" = "standard"): QueueName {
  switch (type) {
    case "generator":
      return generatorQueue;
    case "critic":
      return "critic";
    case "reviser":
    case "continuation":
      return "heavy";
    default: {
      const never: never = type;
      throw new Error(`unknown task type ${String(never)}`);
    }
  }
}

/**
 * Exponential backoff with jitter for the attempt that just failed (1-based): base · 2^(attempt−1),
 * capped, times a jitter factor in [0.75, 1.25) from `random` (in [0, 1), passed in as data). The
 * jitter band is narrow enough that each delay still exceeds the one before.
 */
export function retryDelayMs(attempt: number, baseMs: number, random: number, capMs = 5 * 60_000): number {
  const exp = Math.min(baseMs * 2 ** Math.max(attempt - 1, 0), capMs);
  return Math.round(exp * (0.75 + random * 0.5));
}

/** A deterministic number in [0, 1) from a string, for jitter that replays the same. */
export function unitFromId(id: string): number {
  const h = stableId("jitter", id);
  let n = 0;
  for (let i = 0; i < 6; i++) n = n * 64 + (h.charCodeAt(i) % 64);
  return n / 64 ** 6;
}
