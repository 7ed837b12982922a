// What a user sets per model in AGENTS_MODEL_LIMITS: requests per window, tokens per window and calls
// in flight at once, for the whole fleet (every worker process shares them).
import { z } from "zod";
import { DayBudget } from "./budget-spec.ts";

/** One model's limits; an unset field is not limited. */
export const ModelLimit = z.object({
  /** Requests per window (the window is a minute unless configured otherwise). */
  rpm: z.number().int().positive().optional(),
  /** Tokens (prompt plus output) per window. */
  tpm: z.number().int().positive().optional(),
  /** Calls in flight at once. */
  concurrency: z.number().int().positive().optional(),
  /** What the fleet may spend on the model per UTC day (AGENTS_MODEL_DAY_BUDGETS). */
  day: DayBudget.optional(),
});
export type ModelLimit = z.infer<typeof ModelLimit>;

/** Every model's limits, by model name as tasks name it. */
export type ModelLimits = ReadonlyMap<string, ModelLimit>;

/** The outcome of parsing a limits text: the limits, or what is wrong with one entry. */
export type ParsedLimits = { ok: true; limits: Map<string, ModelLimit> } | { ok: false; error: string };

const PART = /^(\d+)(rpm|tpm)?$/;

/**
 * Parse "gpt-4o=500rpm/30000tpm/8,sonnet=4": per model, `/`-separated parts, each `<n>rpm`, `<n>tpm`
 * or a bare `<n>` (calls at once), in any order, each at most once.
 */
export function parseLimitsSpec(text: string): ParsedLimits {
  const limits = new Map<string, ModelLimit>();
  for (const entry of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const bad = (why: string): ParsedLimits => ({ ok: false, error: `"${entry}" ${why}` });
    const [model, parts, ...rest] = entry.split("=");
    if (!model || parts === undefined || rest.length > 0)
      return bad("is not model=limits (e.g. gpt-4o=500rpm/30000tpm/8)");
    if (limits.has(model)) return bad(`sets ${model} a second time`);
    const limit: ModelLimit = {};
    for (const part of parts.split("/").map((p) => p.trim())) {
      const m = PART.exec(part);
      const n = Number(m?.[1]);
      if (!m || !Number.isSafeInteger(n) || n < 1)
        return bad(`has "${part}": each part is <n>rpm, <n>tpm or <n> (calls at once), n ≥ 1`);
      const field = m[2] === "rpm" ? "rpm" : m[2] === "tpm" ? "tpm" : "concurrency";
      if (limit[field] !== undefined) return bad(`gives ${field} twice`);
      limit[field] = n;
    }
    limits.set(model, limit);
  }
  return { ok: true, limits };
}
