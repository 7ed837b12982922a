// One model's use in the current UTC day, against its day budget: what settled calls really used,
// and whether the budget is spent. Pure; kept inside the model's shared limit state.
import { z } from "zod";
import type { DayBudget } from "./budget-spec.ts";

export const DayUse = z.object({
  /** The UTC day counted (YYYY-MM-DD). */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** What settled calls of the day cost (US dollars) and used (tokens). */
  usd: z.number().nonnegative(),
  tokens: z.number().int().nonnegative(),
  /** When the day's budget was found spent (ms since epoch); set once, by the write that spent it. */
  spent_at: z.number().int().nonnegative().optional(),
  /** What spent it. */
  spent_by: z.enum(["usd", "tokens"]).optional(),
  /** The budget the workers counted against (so anyone reading the state sees it). */
  budget_usd: z.number().positive().optional(),
  budget_tokens: z.number().int().positive().optional(),
});
export type DayUse = z.infer<typeof DayUse>;

/** The UTC day of `now` (YYYY-MM-DD). */
export function utcDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** The start of the next UTC day after `now` (ms since epoch): when a spent day budget is renewed. */
export function nextUtcDay(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

/** The day's use as of `now`: a use of an earlier day counts for nothing. */
export function dayOf(use: DayUse | undefined, now: number): DayUse {
  const date = utcDay(now);
  return use?.date === date ? use : { date, usd: 0, tokens: 0 };
}

/** The day's use with the budget it counts against. */
export function withBudget(use: DayUse, budget: DayBudget | undefined): DayUse {
  const { budget_usd: _u, budget_tokens: _t, ...rest } = use;
  return {
    ...rest,
    ...(budget?.usd !== undefined ? { budget_usd: budget.usd } : {}),
    ...(budget?.tokens !== undefined ? { budget_tokens: budget.tokens } : {}),
  };
}

/** What the day's settled use has spent of `budget`, if anything. */
export function spentBy(use: DayUse, budget: DayBudget | undefined): "usd" | "tokens" | undefined {
  if (budget?.usd !== undefined && use.usd >= budget.usd) return "usd";
  if (budget?.tokens !== undefined && use.tokens >= budget.tokens) return "tokens";
  return undefined;
}

/**
 * Whether calls in flight (their estimated tokens, and dollars at the day's price per token so far)
 * plus one more would pass the budget. Then that call may run only alone: at most one call is in
 * flight past a budget.
 */
export function wouldPass(
  use: DayUse,
  budget: DayBudget | undefined,
  inFlightTokens: number,
  callTokens: number,
): boolean {
  if (!budget) return false;
  const tokens = use.tokens + inFlightTokens + callTokens;
  if (budget.tokens !== undefined && tokens > budget.tokens) return true;
  const usdPerToken = use.tokens > 0 ? use.usd / use.tokens : 0;
  return budget.usd !== undefined && use.usd + (inFlightTokens + callTokens) * usdPerToken > budget.usd;
}

/** Count a settled call's real cost and tokens into the day; marks the day spent when this call spent it. */
export function addToDay(
  use: DayUse | undefined,
  now: number,
  cost: { usd: number; tokens: number },
  budget: DayBudget | undefined,
): DayUse {
  const day = withBudget(dayOf(use, now), budget);
  const next: DayUse = {
    ...day,
    usd: Math.round((day.usd + cost.usd) * 1e6) / 1e6,
    tokens: day.tokens + cost.tokens,
  };
  if (next.spent_at !== undefined) return next;
  const by = spentBy(next, budget);
  return by ? { ...next, spent_at: now, spent_by: by } : next;
}
