// The fleet-wide limits of each model, as one worker uses them: before a call it takes a place in
// the model's shared state (compare-and-set through the LimitsStore), waits while the model is at a
// limit, held after a 429 or a better band waits, and after the call settles the real tokens and
// cost (against the model's day budget) and folds in what the provider said about its limits. A
// model the user set no limits for is limited by what its provider advertised (learned.ts); one
// with neither costs no round trip: only a hold (which every worker sees through the store's mirror)
// applies, and an answer's headers are learned.
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { DayBudgetSpentError, errorMessage } from "../../core/errors.ts";
import {
  accountingWindow,
  bandRank,
  type CallDecision,
  type CallUsage,
  type DayUse,
  decideCall,
  dropWaiter,
  EMPTY_LIMIT_STATE,
  effectiveLimit,
  holdCalls,
  learnLimits,
  type ModelLimits,
  settleCall,
  type WaitReason,
} from "../../core/limits/index.ts";
import type { LimitEntry, LimitsStore } from "../../core/ports/limits-store.ts";
import type { Logger } from "../../core/ports/logger.ts";
import type { RateLimitInfo } from "../../core/providers/rate-limits.ts";

/** What a call's end tells the limiter, each part when known. */
export type CallEnd = {
  /** What the call used and cost (undefined when it failed before an answer). */
  used: CallUsage | undefined;
  /** What the provider said about its limits, on its answer or its error. */
  limits?: RateLimitInfo | undefined;
  /** When the call was sent (ms since epoch): the window counts it from then. */
  sentAt?: number | undefined;
};

/** A place taken for one call; `done` gives it back, as soon as the call to the provider is over. */
export type LimitLease = { done(end: CallEnd): Promise<void> };

/** What a waiting call is told: why, and until when at the latest (ms since epoch). */
export type LimitWait = { model: string; why: WaitReason; until: number };

/** A call's wait as the metrics name it: held after a 429 is `throttle`. */
export type WaitMetric = "throttle" | Exclude<WaitReason, "held">;

export type ModelLimiterOptions = {
  /** The window rpm and tpm count over (ms; default a minute). */
  windowMs?: number | undefined;
  /** Limit models without a set rpm/tpm by what their providers' headers advertise (default true). */
  learn?: boolean | undefined;
  /** Longest sleep before looking again, even if no change was heard (ms; default 5 s). */
  pollMs?: number | undefined;
  /** Told how long a call waited for `model` and what held it. */
  onWaited?: (model: string, reason: WaitMetric, seconds: number) => void;
  /** Told once per model and day, by the one worker whose settled call spent the model's day budget. */
  onSpent?: (model: string, day: DayUse) => void;
  /** Told the model's day use after each settled call of a model with a day budget. */
  onDayUse?: (model: string, day: DayUse) => void;
};

/** Tries of one write before giving up on it (each lost try means another worker wrote first). */
const WRITE_TRIES = 20;

export class ModelLimiter {
  private readonly wakers = new Map<string, Set<() => void>>();
  private readonly unsubscribe: () => void;
  private readonly windowMs: number;
  private readonly pollMs: number;
  private readonly learning: boolean;
  private readonly onWaited: NonNullable<ModelLimiterOptions["onWaited"]>;
  private readonly onSpent: NonNullable<ModelLimiterOptions["onSpent"]>;
  private readonly onDayUse: NonNullable<ModelLimiterOptions["onDayUse"]>;

  constructor(
    private readonly store: LimitsStore,
    private readonly limits: ModelLimits,
    private readonly log: Logger,
    o: ModelLimiterOptions = {},
  ) {
    this.windowMs = accountingWindow(o.windowMs ?? 60_000);
    this.pollMs = o.pollMs ?? 5_000;
    this.learning = o.learn ?? true;
    this.onWaited = o.onWaited ?? (() => undefined);
    this.onSpent = o.onSpent ?? (() => undefined);
    this.onDayUse = o.onDayUse ?? (() => undefined);
    this.unsubscribe = store.onChange((model) => {
      for (const wake of this.wakers.get(model) ?? []) wake();
    });
  }

  /**
   * Wait for a place for a call of `model` with a prompt of `prompt` tokens (and the output cap, if
   * any) for a task of `band`, held at most `leaseMs` (after that it stops counting as in flight, in
   * case this worker dies). Rejects when `signal` aborts, and with a DayBudgetSpentError when the
   * model's day budget is spent.
   */
  async acquire(
    model: string,
    call: {
      prompt: number;
      outputCap?: number | undefined;
      band: "high" | "normal" | "low";
      /** The kind of call (its task's type): its outputs estimate the next one's. */
      kind?: string | undefined;
    },
    leaseMs: number,
    signal: AbortSignal,
    onWait?: (w: LimitWait) => void,
  ): Promise<LimitLease> {
    const user = this.limits.get(model);
    const id = randomBytes(8).toString("hex");
    let listed = false;
    try {
      for (;;) {
        signal.throwIfAborted();
        const now = Date.now();
        const known = this.store.cached(model) ?? (user ? await this.store.read(model) : undefined);
        const limit = this.learning ? effectiveLimit(user, known?.state) : user;
        if (!limit) {
          const held = this.store.cached(model)?.state.held_until ?? 0;
          // Bound methods, not closures: a lease lives as long as its call, and a closure here would
          // keep this whole wait's scope (and the task's callbacks) alive with it.
          if (held <= now) return { done: this.learnFrom.bind(this, model) };
          onWait?.({ model, why: "held", until: held });
          await this.waitFor(model, held - now, signal);
          this.onWaited(model, "throttle", (Date.now() - now) / 1000);
          continue;
        }
        const entry = known ?? none();
        const d: CallDecision = decideCall(entry.state, limit, {
          id,
          prompt: call.prompt,
          outputCap: call.outputCap,
          kind: call.kind,
          now,
          windowMs: this.windowMs,
          leaseMs,
          rank: bandRank(call.band),
          waiterTtlMs: 2 * this.pollMs + 1_000,
        });
        if (d.kind === "spent") throw new DayBudgetSpentError(model, d.by, d.until);
        if (d.state && (await this.store.write(model, d.state, entry.revision)) === undefined) {
          await this.store.read(model); // another worker wrote first: decide again on its state
          continue;
        }
        if (d.kind === "granted") {
          listed = false;
          return { done: this.settle.bind(this, model, id, call.kind) };
        }
        if (d.state) listed = true;
        onWait?.({ model, why: d.why, until: d.until });
        await this.waitFor(model, d.until - now, signal);
        this.onWaited(model, d.why === "held" ? "throttle" : d.why, (Date.now() - now) / 1000);
      }
    } finally {
      // A caller that stops waiting (stopped, cancelled, the budget spent) leaves the list at once.
      if (listed) await this.update(model, (state) => dropWaiter(state, id), "unlist");
    }
  }

  /** After a 429: no worker starts a call of `model` for `ms`. */
  async slowDown(model: string, ms: number): Promise<void> {
    const until = Date.now() + ms;
    await this.update(model, (state) => holdCalls(state, until), "hold");
  }

  close(): void {
    this.unsubscribe();
  }

  /** What an answer of a model without accounting said about its limits: kept when it says something new. */
  private learnFrom(model: string, end: CallEnd): Promise<void> {
    return this.learn(model, end.limits);
  }

  private async learn(model: string, limits: RateLimitInfo | undefined): Promise<void> {
    if (limits && this.learning)
      await this.update(model, (state) => learnLimits(state, limits, true), "learn");
  }

  private async settle(model: string, id: string, kind: string | undefined, end: CallEnd): Promise<void> {
    const budget = this.limits.get(model)?.day;
    let before: DayUse | undefined;
    const after = await this.update(
      model,
      (state) => {
        before = state.day;
        const settled = settleCall(state, id, end.used, Date.now(), { budget, sentAt: end.sentAt, kind });
        return end.limits && this.learning ? learnLimits(settled, end.limits) : settled;
      },
      "settle",
    );
    if (!budget || !after?.day) return;
    this.onDayUse(model, after.day);
    const spentNow = after.day.spent_at !== undefined;
    const spentBefore = before?.date === after.day.date && before.spent_at !== undefined;
    if (spentNow && !spentBefore) this.onSpent(model, after.day);
  }

  /**
   * Apply `change` to the model's state by compare-and-set; the state written (or kept, when `change`
   * returns it unchanged: no write), or undefined when it was not (a failure is logged: leases expire
   * on their own).
   */
  private async update(
    model: string,
    change: (state: LimitEntry["state"]) => LimitEntry["state"],
    what: string,
  ): Promise<LimitEntry["state"] | undefined> {
    try {
      for (let i = 0; i < WRITE_TRIES; i++) {
        const entry = this.store.cached(model) ?? (await this.store.read(model)) ?? none();
        const state = change(entry.state);
        if (state === entry.state) return state;
        if ((await this.store.write(model, state, entry.revision)) !== undefined) return state;
        await this.store.read(model);
      }
      this.log.warn({ model, what }, "model limit state not updated: too many concurrent writers");
    } catch (err) {
      this.log.warn({ model, what, err: errorMessage(err) }, "model limit state not updated");
    }
    return undefined;
  }

  /** Sleep until `ms` passed, the model's state changed, or `signal` aborted (then it rejects). */
  private async waitFor(model: string, ms: number, signal: AbortSignal): Promise<void> {
    const changed = new AbortController();
    const wake = () => changed.abort();
    const set = this.wakers.get(model) ?? new Set();
    set.add(wake);
    this.wakers.set(model, set);
    try {
      await sleep(Math.max(1, Math.min(ms, this.pollMs)), undefined, {
        signal: AbortSignal.any([signal, changed.signal]),
      }).catch(() => undefined);
    } finally {
      set.delete(wake);
    }
    signal.throwIfAborted();
  }
}

function none(): LimitEntry {
  return { state: EMPTY_LIMIT_STATE, revision: 0 };
}
