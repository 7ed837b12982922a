// The shared accounting of one model's calls: a sliding log of the calls granted in the last window
// (so a provider that counts a sliding window, as OpenAI's fixture does and as a fixed minute cannot
// promise, is never asked for more than its limit), the calls in flight, and a hold after a 429.
// Callers that must wait are listed by band, so the next place goes to the best band (then the
// longest waiting), not to whoever asks first; and the UTC day's use is counted against the day budget.
// Pure: the time and the state come in as data; the adapter keeps the state in NATS.
import { z } from "zod";
import {
  addToDay,
  type DayUse,
  DayUse as DayUseSchema,
  dayOf,
  nextUtcDay,
  spentBy,
  withBudget,
  wouldPass,
} from "./day.ts";
import type { ModelLimit } from "./spec.ts";

/** One granted call: lease id, granted at (ms since epoch), tokens (estimate, then real), in flight until (ms; 0 once done). */
export const LimitCall = z.tuple([
  z.string().min(1).max(64),
  z.number().int().nonnegative(),
  z.number().int().nonnegative(),
  z.number().int().nonnegative(),
]);
export type LimitCall = z.infer<typeof LimitCall>;

/** A caller waiting for a place: lease id, rank (0 is the best band), waiting since, listed until (ms since epoch). */
export const LimitWaiter = z.tuple([
  z.string().min(1).max(64),
  z.number().int().nonnegative(),
  z.number().int().nonnegative(),
  z.number().int().nonnegative(),
]);
export type LimitWaiter = z.infer<typeof LimitWaiter>;

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
  /**
   * The same estimate for each kind of call (a task type: a critic's answer is a few lines, a
   * generator's whole pages), so one kind's outputs do not set another's estimate; the model-wide
   * figure above is for a kind not seen yet.
   */
  outputs_by_kind: z.record(z.string().min(1).max(32), z.number().nonnegative()).optional(),
  /** Callers waiting for a place; a lower rank goes first. */
  waiting: z.array(LimitWaiter).max(100_000).optional(),
  /** The current UTC day's use, for the day budget. */
  day: DayUseSchema.optional(),
  /**
   * The requests and tokens per window the provider last advertised in its rate-limit headers (see
   * learned.ts), used when the user set none; `observed_at` is when (ms since epoch).
   */
  learned: z
    .object({
      rpm: z.number().int().positive().optional(),
      tpm: z.number().int().positive().optional(),
      observed_at: z.number().int().nonnegative(),
    })
    .optional(),
});
export type LimitState = z.infer<typeof LimitState>;

export const EMPTY_LIMIT_STATE: LimitState = { calls: [], held_until: 0 };

/**
 * Why a call has to wait: held after a 429, a limit (calls at once, requests or tokens per window),
 * a caller of a better band (or of the same band, waiting longer) goes first, or the next call would
 * pass the day budget while another is in flight.
 */
export const WaitReason = z.enum(["held", "concurrency", "requests", "tokens", "priority", "budget"]);
export type WaitReason = z.infer<typeof WaitReason>;

export type CallRequest = {
  /** Unique per call: the lease id. */
  id: string;
  /** Tokens of the prompt (see promptTokens). */
  prompt: number;
  /** The call's output cap, when it has one; else its kind's recent output (or a default) is assumed. */
  outputCap?: number | undefined;
  /** The kind of call (its task's type), whose recent outputs estimate this one's. */
  kind?: string | undefined;
  now: number;
  /** The window rpm and tpm count over (ms). */
  windowMs: number;
  /** A call not settled after this long (its worker died) stops counting as in flight (ms). */
  leaseMs: number;
  /** The caller's rank: its task's band (0 high, 1 normal, 2 low; see bandRank). */
  rank: number;
  /** How long a waiting caller stays listed without asking again (ms); it asks again sooner. */
  waiterTtlMs: number;
};

export type CallDecision =
  | { kind: "granted"; state: LimitState }
  /**
   * Wait until `until` (ms since epoch) at the latest, then ask again; earlier if the state changes.
   * `state`, when set, lists the caller as waiting (write it, then wait).
   */
  | { kind: "wait"; why: WaitReason; until: number; state?: LimitState }
  /** The model's day budget is spent: no call until the next UTC day (`until`). */
  | { kind: "spent"; by: "usd" | "tokens"; until: number; day: DayUse };

/** A band's rank among waiting callers (0 goes first). */
export function bandRank(band: "high" | "normal" | "low"): number {
  return band === "high" ? 0 : band === "normal" ? 1 : 2;
}

/** Output tokens assumed for a call with no output cap, before any call of the model reported its usage. */
export const DEFAULT_OUTPUT_ESTIMATE = 1_000;
/** How far the model's output estimate falls back toward a smaller call (a fraction of the gap). */
const OUTPUT_DECAY = 0.02;

/** A prompt's tokens before the call, at 4 characters a token (what providers' rules of thumb say). */
export function promptTokens(promptChars: number): number {
  return Math.ceil(promptChars / 4);
}

/**
 * Tokens a call will use: its prompt plus its output cap, else the recent output of its kind, else
 * the model's, else the default.
 */
export function estimateTokens(state: LimitState, prompt: number, outputCap?: number, kind?: string): number {
  const recent = (kind === undefined ? undefined : state.outputs_by_kind?.[kind]) ?? state.output_tokens;
  return prompt + Math.ceil(outputCap ?? recent ?? DEFAULT_OUTPUT_ESTIMATE);
}

/** The estimate after a call that put out `used` tokens: the larger at once, else a step toward it. */
function nextEstimate(before: number | undefined, used: number): number {
  const b = before ?? 0;
  return Math.round(Math.max(used, b - OUTPUT_DECAY * (b - used)) * 100) / 100;
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
  const waiting = (state.waiting ?? []).filter(([, , , until]) => until > now);
  return { ...state, calls, waiting, held_until: state.held_until > now ? state.held_until : 0 };
}

/** A waiter's rank after waiting: one band better per window waited, so no band waits for ever. */
function effectiveRank(rank: number, since: number, now: number, windowMs: number): number {
  return rank - Math.floor((now - since) / windowMs);
}

/** Whether a call may start now under `limit`, and the state with it counted; else how long to wait. */
export function decideCall(state: LimitState, limit: ModelLimit, r: CallRequest): CallDecision {
  const pruned = prune(state, r.now, r.windowMs);
  const s = { ...pruned, waiting: pruned.waiting ?? [] };
  const day = dayOf(s.day, r.now);
  const spent = spentBy(day, limit.day);
  if (spent) return { kind: "spent", by: spent, until: nextUtcDay(r.now), day };
  const tokens = estimateTokens(s, r.prompt, r.outputCap, r.kind);
  const wait = (why: WaitReason, until: number): CallDecision => listWaiter(s, r, why, until);
  if (s.held_until > r.now) return wait("held", s.held_until);
  const inFlight = s.calls.filter(([, , , until]) => until > r.now);
  const firstFree = () => Math.min(...inFlight.map(([, , , until]) => until));
  if (limit.concurrency !== undefined && inFlight.length >= limit.concurrency) {
    // Usually a call ends (and the state changes) long before its lease runs out.
    return wait("concurrency", firstFree());
  }
  const inFlightTokens = inFlight.reduce((sum, [, , counted]) => sum + counted, 0);
  if (inFlight.length > 0 && wouldPass(day, limit.day, inFlightTokens, tokens))
    return wait("budget", firstFree());
  const windowed = s.calls.filter(([, at]) => at > r.now - r.windowMs).sort((a, b) => a[1] - b[1]);
  if (limit.rpm !== undefined && windowed.length >= limit.rpm) {
    const freeing = windowed[windowed.length - limit.rpm] as LimitCall;
    return wait("requests", freeing[1] + r.windowMs);
  }
  if (limit.tpm !== undefined) {
    let used = windowed.reduce((sum, [, , counted]) => sum + counted, 0);
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
      return wait("tokens", until);
    }
  }
  // There is a place: it goes to the best waiting caller, which may be another one.
  const own = s.waiting.find(([id]) => id === r.id);
  const mine = effectiveRank(r.rank, own?.[2] ?? r.now, r.now, r.windowMs);
  const ahead = s.waiting.filter(
    ([id, rank, since]) =>
      id !== r.id &&
      (effectiveRank(rank, since, r.now, r.windowMs) < mine ||
        (effectiveRank(rank, since, r.now, r.windowMs) === mine && since < (own?.[2] ?? r.now))),
  );
  if (ahead.length > 0) return wait("priority", Math.min(...ahead.map(([, , , until]) => until)));
  return {
    kind: "granted",
    state: {
      ...s,
      calls: [...s.calls, [r.id, r.now, tokens, r.now + r.leaseMs]],
      waiting: s.waiting.filter(([id]) => id !== r.id),
      ...(s.day || limit.day ? { day: withBudget(day, limit.day) } : {}),
    },
  };
}

/** A wait, listing the caller among the waiting when it is not listed for long enough yet. */
function listWaiter(
  s: LimitState & { waiting: LimitWaiter[] },
  r: CallRequest,
  why: WaitReason,
  until: number,
): CallDecision {
  const own = s.waiting.find(([id]) => id === r.id);
  if (own && own[3] - r.now > r.waiterTtlMs / 2) return { kind: "wait", why, until };
  const listed: LimitWaiter = [r.id, r.rank, own?.[2] ?? r.now, r.now + r.waiterTtlMs];
  const waiting = [...s.waiting.filter(([id]) => id !== r.id), listed];
  return { kind: "wait", why, until, state: { ...s, waiting } };
}

/** A caller stopped waiting (its task was stopped): no longer listed. */
export function dropWaiter(state: LimitState, id: string): LimitState {
  return { ...state, waiting: (state.waiting ?? []).filter(([w]) => w !== id) };
}

/** What a call reported it used and cost (undefined when it failed before the provider said). */
export type CallUsage =
  | { input_tokens: number; output_tokens: number; cost_usd?: number | undefined }
  | undefined;

/** What is known of a call when it ends, besides its usage. */
export type SettleOptions = {
  /** The model's day budget, if it has one. */
  budget?: ModelLimit["day"];
  /** When the call was sent to the provider (ms since epoch), when known. */
  sentAt?: number | undefined;
  /** The kind of call it was (see CallRequest.kind). */
  kind?: string | undefined;
};

/**
 * A call ended at `now`: count the tokens it really used (when known), take it out of the calls in
 * flight, count its cost into the day (spending the day budget, maybe), and fold its output into the
 * model's output estimate (the next calls').
 *
 * The call is counted in the window from when it was sent, not when it was granted: the provider
 * counts it from when it arrived, and between grant and send lie a compare-and-set write and the
 * task's own bookkeeping (tens to hundreds of ms on a loaded machine). Counted from the grant, it
 * left the window that much before the provider's, and the call granted in its place was refused.
 */
export function settleCall(
  state: LimitState,
  id: string,
  used: CallUsage | undefined,
  now: number,
  o: SettleOptions = {},
): LimitState {
  const { budget, sentAt, kind } = o;
  const calls = state.calls.map(
    (c): LimitCall =>
      c[0] === id
        ? [
            c[0],
            sentAt === undefined ? c[1] : Math.max(c[1], Math.min(Math.round(sentAt), now)),
            used ? used.input_tokens + used.output_tokens : c[2],
            0,
          ]
        : c,
  );
  if (!used) return { ...state, calls };
  const tokens = used.input_tokens + used.output_tokens;
  const day =
    state.day || budget ? { day: addToDay(state.day, now, { usd: used.cost_usd ?? 0, tokens }, budget) } : {};
  state = { ...state, ...day };
  const output_tokens = nextEstimate(state.output_tokens, used.output_tokens);
  if (kind === undefined) return { ...state, calls, output_tokens };
  const outputs_by_kind = {
    ...state.outputs_by_kind,
    [kind]: nextEstimate(state.outputs_by_kind?.[kind], used.output_tokens),
  };
  return { ...state, calls, output_tokens, outputs_by_kind };
}

/** The provider answered 429: no call starts before `until` (ms since epoch), on any worker. */
export function holdCalls(state: LimitState, until: number): LimitState {
  return { ...state, held_until: Math.max(state.held_until, until) };
}
