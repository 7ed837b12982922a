// The shared accounting of one model's calls: a sliding log of the calls granted in the last window
// (so a provider that counts a sliding window, as OpenAI's fixture does and as a fixed minute cannot
// promise, is never asked for more than its limit), the calls in flight, and a hold after a 429.
// Pure: the time and the state come in as data; the adapter keeps the state in NATS.
import { z } from "zod";
import type { ModelLimit } from "./spec.ts";

/** One granted call: lease id, granted at (ms since epoch), tokens (estimate, then real), in flight until (ms; 0 once done). */
export const LimitCall = z.tuple([
  z.string().min(1).max(64),
  z.number().int().nonnegative(),
  z.number().int().nonnegative(),
  z.number().int().nonnegative(),
]);
export type LimitCall = z.infer<typeof LimitCall>;

/** A model's shared state: what every worker reads and writes (compare-and-set) before a call. */
export const LimitState = z.object({
  calls: z.array(LimitCall).max(100_000),
  /** No new call before this (ms since epoch): the provider answered 429. 0 when not held. */
  held_until: z.number().int().nonnegative(),
  /**
   * Output tokens a call of this model may use, from what calls reported: the largest lately (it
   * rises at once and decays slowly), since an estimate too low lets the provider's limit be passed
   * and one too high only delays a call until it is corrected.
   */
  output_tokens: z.number().nonnegative().optional(),
});
export type LimitState = z.infer<typeof LimitState>;

export const EMPTY_LIMIT_STATE: LimitState = { calls: [], held_until: 0 };

/** Why a call has to wait. */
export const WaitReason = z.enum(["held", "concurrency", "requests", "tokens"]);
export type WaitReason = z.infer<typeof WaitReason>;

export type CallRequest = {
  /** Unique per call: the lease id. */
  id: string;
  /** Tokens of the prompt (see promptTokens). */
  prompt: number;
  /** The call's output cap, when it has one; else the model's recent output (or a default) is assumed. */
  outputCap?: number | undefined;
  now: number;
  /** The window rpm and tpm count over (ms). */
  windowMs: number;
  /** A call not settled after this long (its worker died) stops counting as in flight (ms). */
  leaseMs: number;
};

export type CallDecision =
  | { kind: "granted"; state: LimitState }
  /** Wait until `until` (ms since epoch) at the latest, then ask again; earlier if the state changes. */
  | { kind: "wait"; why: WaitReason; until: number };

/** Output tokens assumed for a call with no output cap, before any call of the model reported its usage. */
export const DEFAULT_OUTPUT_ESTIMATE = 1_000;
/** How far the model's output estimate falls back toward a smaller call (a fraction of the gap). */
const OUTPUT_DECAY = 0.02;

/** A prompt's tokens before the call, at 4 characters a token (what providers' rules of thumb say). */
export function promptTokens(promptChars: number): number {
  return Math.ceil(promptChars / 4);
}

/** Tokens a call will use: its prompt plus its output cap, else the model's recent output, else the default. */
export function estimateTokens(state: LimitState, prompt: number, outputCap?: number): number {
  return prompt + Math.ceil(outputCap ?? state.output_tokens ?? DEFAULT_OUTPUT_ESTIMATE);
}

/**
 * The window the accounting uses for a provider's window of `windowMs`: a little longer, since a call
 * is counted here when granted and by the provider when it arrives, and arrival delays vary (a call
 * that arrives faster than the one it replaces in the window would find the provider's window full).
 * 2 %, at most half a second.
 */
export function accountingWindow(windowMs: number): number {
  return windowMs + Math.min(500, Math.round(windowMs / 50));
}

/** The calls that still matter: in the window, or in flight (and not past their lease). */
export function prune(state: LimitState, now: number, windowMs: number): LimitState {
  const calls = state.calls.filter(([, at, , until]) => at > now - windowMs || until > now);
  return { ...state, calls, held_until: state.held_until > now ? state.held_until : 0 };
}

/** Whether a call may start now under `limit`, and the state with it counted; else how long to wait. */
export function decideCall(state: LimitState, limit: ModelLimit, r: CallRequest): CallDecision {
  const s = prune(state, r.now, r.windowMs);
  const tokens = estimateTokens(s, r.prompt, r.outputCap);
  if (s.held_until > r.now) return { kind: "wait", why: "held", until: s.held_until };
  const inFlight = s.calls.filter(([, , , until]) => until > r.now);
  if (limit.concurrency !== undefined && inFlight.length >= limit.concurrency) {
    // Usually a call ends (and the state changes) long before its lease runs out.
    return { kind: "wait", why: "concurrency", until: Math.min(...inFlight.map(([, , , until]) => until)) };
  }
  const windowed = s.calls.filter(([, at]) => at > r.now - r.windowMs).sort((a, b) => a[1] - b[1]);
  if (limit.rpm !== undefined && windowed.length >= limit.rpm) {
    const freeing = windowed[windowed.length - limit.rpm] as LimitCall;
    return { kind: "wait", why: "requests", until: freeing[1] + r.windowMs };
  }
  if (limit.tpm !== undefined) {
    let used = windowed.reduce((sum, [, , tokens]) => sum + tokens, 0);
    // A call larger than the whole budget still runs, alone in an empty window (or it never would).
    if (used > 0 && used + tokens > limit.tpm) {
      let until = r.now + r.windowMs;
      for (const [, at, counted] of windowed) {
        used -= counted;
        if (used + tokens <= limit.tpm || used === 0) {
          until = at + r.windowMs;
          break;
        }
      }
      return { kind: "wait", why: "tokens", until };
    }
  }
  return {
    kind: "granted",
    state: { ...s, calls: [...s.calls, [r.id, r.now, tokens, r.now + r.leaseMs]] },
  };
}

/** What a call reported it used (undefined when it failed before the provider said). */
export type CallUsage = { input_tokens: number; output_tokens: number } | undefined;

/**
 * A call ended: count the tokens it really used (when known), take it out of the calls in flight,
 * and fold its output into the model's output estimate (the next calls').
 */
export function settleCall(state: LimitState, id: string, used: CallUsage): LimitState {
  const calls = state.calls.map(
    (c): LimitCall =>
      c[0] === id ? [c[0], c[1], used ? used.input_tokens + used.output_tokens : c[2], 0] : c,
  );
  if (!used) return { ...state, calls };
  const before = state.output_tokens ?? 0;
  const output_tokens = Math.max(used.output_tokens, before - OUTPUT_DECAY * (before - used.output_tokens));
  return { ...state, calls, output_tokens: Math.round(output_tokens * 100) / 100 };
}

/** The provider answered 429: no call starts before `until` (ms since epoch), on any worker. */
export function holdCalls(state: LimitState, until: number): LimitState {
  return { ...state, held_until: Math.max(state.held_until, until) };
}
