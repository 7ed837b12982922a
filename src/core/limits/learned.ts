// Limits learned from what the provider says on each answer (OpenAI's `x-ratelimit-*`, Anthropic's
// `anthropic-ratelimit-*`): its requests and tokens per window, kept in the model's shared state so
// every worker uses what any worker heard. The latest answer wins, lower or higher: providers change
// a key's limits (a tier upgrade, a shared key's other users), and an old figure either wastes
// capacity or earns 429s. A window the provider says is spent holds new calls until its reset. Pure.
import type { RateLimitInfo, RateLimitWindow } from "../providers/rate-limits.ts";
import type { ModelLimit } from "./spec.ts";
import type { LimitState } from "./window.ts";

/** The limits the provider last advertised for a model, and when it said so (ms since epoch). */
export type LearnedLimit = NonNullable<LimitState["learned"]>;

/** A window's limit as a whole positive count, when the provider said one. */
function limitOf(w: RateLimitWindow | undefined): number | undefined {
  const n = w?.limit === undefined ? undefined : Math.floor(w.limit);
  return n !== undefined && n >= 1 ? n : undefined;
}

/**
 * Fold what one answer said into the model's state: its request and token limits replace the learned
 * ones (an answer older than what was learned is ignored: answers of several workers arrive out of
 * order), and a window with nothing remaining holds new calls until it resets. The same state (by
 * reference) when nothing changes, so the caller can skip the write.
 */
export function learnLimits(state: LimitState, info: RateLimitInfo): LimitState {
  let next = state;
  const rpm = limitOf(info.requests);
  // OpenAI and Anthropic's combined tokens; Anthropic's input tokens when only those are given.
  const tpm = limitOf(info.tokens) ?? limitOf(info.input_tokens);
  const known = state.learned;
  if ((rpm !== undefined || tpm !== undefined) && (!known || info.observed_at >= known.observed_at)) {
    if (rpm !== known?.rpm || tpm !== known?.tpm) {
      const learned: LearnedLimit = {
        ...(rpm !== undefined ? { rpm } : {}),
        ...(tpm !== undefined ? { tpm } : {}),
        observed_at: info.observed_at,
      };
      next = { ...next, learned };
    }
  }
  const spent = [info.requests, info.tokens, info.input_tokens, info.output_tokens]
    .filter((w): w is RateLimitWindow => w?.remaining === 0 && w.resets_at !== undefined)
    .map((w) => w.resets_at as number);
  const until = spent.length > 0 ? Math.max(...spent) : 0;
  if (until > next.held_until && until > info.observed_at) next = { ...next, held_until: until };
  return next;
}

/**
 * The limit a call of the model is decided under: what the user set wins, field by field; requests
 * and tokens per window the user left unset come from what the provider advertised. Undefined when
 * neither limits the model (then no accounting is needed).
 */
export function effectiveLimit(
  user: ModelLimit | undefined,
  state: LimitState | undefined,
): ModelLimit | undefined {
  const learned = state?.learned;
  const rpm = user?.rpm ?? learned?.rpm;
  const tpm = user?.tpm ?? learned?.tpm;
  if (!user && rpm === undefined && tpm === undefined) return undefined;
  return {
    ...user,
    ...(rpm !== undefined ? { rpm } : {}),
    ...(tpm !== undefined ? { tpm } : {}),
  };
}
