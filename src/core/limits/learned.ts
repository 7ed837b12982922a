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

/** At most this many placeholder calls stand for the requests used before a limit was known. */
const MAX_SEEDED_REQUESTS = 10_000;

/**
 * The calls the provider already counts when a limit is first learned: until then the model had no
 * accounting, so the calls the fleet started meanwhile are in the provider's window and in no list
 * of ours, and the calls granted next would be decided on an empty window (with 4 workers of 4
 * agents, 16 calls' tokens over the limit). The answer says what its window has used (limit minus
 * remaining); that is counted as done calls at the answer's time, so it leaves our window no sooner
 * than it can leave the provider's.
 */
function seedUsed(info: RateLimitInfo): LimitState["calls"] {
  const used = (w: RateLimitWindow | undefined) => {
    const limit = limitOf(w);
    return limit === undefined || w?.remaining === undefined
      ? 0
      : Math.max(0, Math.floor(limit - w.remaining));
  };
  const tokens = used(info.tokens ?? info.input_tokens);
  const requests = Math.min(MAX_SEEDED_REQUESTS, Math.max(used(info.requests), tokens > 0 ? 1 : 0));
  const at = info.observed_at;
  return Array.from({ length: requests }, (_, i) => [`seen-${at}-${i}`, at, i === 0 ? tokens : 0, 0]);
}

/**
 * Fold what one answer said into the model's state: its request and token limits replace the learned
 * ones (an answer older than what was learned is ignored: answers of several workers arrive out of
 * order), and a window with nothing remaining holds new calls until it resets. The same state (by
 * reference) when nothing changes, so the caller can skip the write. `unaccounted`: the answer is
 * of a call made while the model had no limit (so no call of it is in the state's list); the first
 * limit learned then also counts what the provider's window had used (see seedUsed).
 */
export function learnLimits(state: LimitState, info: RateLimitInfo, unaccounted = false): LimitState {
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
      if (!known && unaccounted) next = { ...next, calls: [...next.calls, ...seedUsed(info)] };
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
