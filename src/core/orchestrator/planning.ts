// Pure planning rules from the brief: ids, waves, priorities, bands, queues and retry backoff.
import type { Band, QueueName, TaskType } from "../events/index.ts";
import { stableId } from "../ids.ts";

/** Iterations per wave: count ≤ 5 all at once; 6-20 batches of 5; larger batches of 10; infinite 4. */
export function waveSizeFor(count: number | "infinite"): number {
  if (count === "infinite") return 4;
  if (count <= 5) return count;
  if (count <= 20) return 5;
  return 10;
}

/** Default ceiling for infinite jobs without max_iterations. */
export const DEFAULT_INFINITE_MAX = 1000;

/** Iteration numbers of the next wave, after `planned` iterations, capped at `max`. */
export function nextWave(planned: number, waveSize: number, max: number): number[] {
  const out: number[] = [];
  for (let n = planned + 1; n <= Math.min(planned + waveSize, max); n++) out.push(n);
  return out;
}

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
