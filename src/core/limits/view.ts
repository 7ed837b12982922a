// A model's shared limit state as status shows it: calls in flight and in the window, a hold after
// a 429, callers waiting, the limits learned from the provider, and the UTC day's use against its
// day budget. Pure.
import { dayOf, nextUtcDay, spentBy } from "./day.ts";
import { type LimitState, prune } from "./window.ts";

export type ModelLimitView = {
  model: string;
  in_flight: number;
  /** Calls granted, and their tokens, in the last window. */
  window_requests: number;
  window_tokens: number;
  /** No call starts before this (after a 429); null when not held. */
  held_until: string | null;
  /** Callers waiting for a place. */
  waiting: number;
  /** What the provider last advertised (used where the user set no limit); null before any answer said. */
  learned: { rpm: number | null; tpm: number | null; observed_at: string } | null;
  day: {
    date: string;
    usd: number;
    tokens: number;
    budget_usd: number | null;
    budget_tokens: number | null;
    /** Spent: no new call of the model before `until`. */
    spent: boolean;
    spent_at: string | null;
    spent_by: "usd" | "tokens" | null;
    until: string | null;
  } | null;
};

export function limitView(model: string, state: LimitState, now: number, windowMs: number): ModelLimitView {
  const s = prune(state, now, windowMs);
  const windowed = s.calls.filter(([, at]) => at > now - windowMs);
  const iso = (ms: number) => new Date(ms).toISOString();
  const day = s.day ? dayOf(s.day, now) : undefined;
  const budget = day && { usd: day.budget_usd, tokens: day.budget_tokens };
  const by = day ? (day.spent_by ?? spentBy(day, budget)) : undefined;
  return {
    model,
    in_flight: s.calls.filter(([, , , until]) => until > now).length,
    window_requests: windowed.length,
    window_tokens: windowed.reduce((sum, [, , tokens]) => sum + tokens, 0),
    held_until: s.held_until > now ? iso(s.held_until) : null,
    waiting: s.waiting?.length ?? 0,
    learned: s.learned
      ? { rpm: s.learned.rpm ?? null, tpm: s.learned.tpm ?? null, observed_at: iso(s.learned.observed_at) }
      : null,
    day: day
      ? {
          date: day.date,
          usd: day.usd,
          tokens: day.tokens,
          budget_usd: day.budget_usd ?? null,
          budget_tokens: day.budget_tokens ?? null,
          spent: by !== undefined,
          spent_at: day.spent_at !== undefined ? iso(day.spent_at) : null,
          spent_by: by ?? null,
          until: by ? iso(nextUtcDay(now)) : null,
        }
      : null,
  };
}
