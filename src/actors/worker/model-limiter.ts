// The fleet-wide limits of each model, as one worker uses them: before a call it takes a place in
// the model's shared state (compare-and-set through the LimitsStore), waits while the model is at a
// limit or held after a 429, and after the call settles the real tokens. A model without limits
// costs no round trip: only a hold (which every worker sees through the store's mirror) applies.
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage } from "../../core/errors.ts";
import {
  accountingWindow,
  type CallDecision,
  type CallUsage,
  decideCall,
  EMPTY_LIMIT_STATE,
  holdCalls,
  type ModelLimits,
  settleCall,
  type WaitReason,
} from "../../core/limits/index.ts";
import type { LimitEntry, LimitsStore } from "../../core/ports/limits-store.ts";
import type { Logger } from "../../core/ports/logger.ts";

/** A place taken for one call; `done` gives it back with what the call really used (when known). */
export type LimitLease = { done(used: CallUsage): Promise<void> };

/** What a waiting call is told: why, and until when at the latest (ms since epoch). */
export type LimitWait = { model: string; why: WaitReason; until: number };

export type ModelLimiterOptions = {
  /** The window rpm and tpm count over (ms; default a minute). */
  windowMs?: number | undefined;
  /** Longest sleep before looking again, even if no change was heard (ms; default 5 s). */
  pollMs?: number | undefined;
  /** Told how long a call waited for `model` and what held it (held after a 429 is `throttle`). */
  onWaited?: (model: string, reason: "throttle" | Exclude<WaitReason, "held">, seconds: number) => void;
};

const NO_LEASE: LimitLease = { done: () => Promise.resolve() };
/** Tries of one write before giving up on it (each lost try means another worker wrote first). */
const WRITE_TRIES = 20;

export class ModelLimiter {
  private readonly wakers = new Map<string, Set<() => void>>();
  private readonly unsubscribe: () => void;
  private readonly windowMs: number;
  private readonly pollMs: number;
  private readonly onWaited: NonNullable<ModelLimiterOptions["onWaited"]>;

  constructor(
    private readonly store: LimitsStore,
    private readonly limits: ModelLimits,
    private readonly log: Logger,
    o: ModelLimiterOptions = {},
  ) {
    this.windowMs = accountingWindow(o.windowMs ?? 60_000);
    this.pollMs = o.pollMs ?? 5_000;
    this.onWaited = o.onWaited ?? (() => undefined);
    this.unsubscribe = store.onChange((model) => {
      for (const wake of this.wakers.get(model) ?? []) wake();
    });
  }

  /**
   * Wait for a place for a call of `model` with a prompt of `prompt` tokens (and the output cap, if
   * any), held at most `leaseMs` (after that it stops counting as in flight, in case this worker
   * dies). Rejects when `signal` aborts.
   */
  async acquire(
    model: string,
    call: { prompt: number; outputCap?: number | undefined },
    leaseMs: number,
    signal: AbortSignal,
    onWait?: (w: LimitWait) => void,
  ): Promise<LimitLease> {
    const limit = this.limits.get(model);
    const id = randomBytes(8).toString("hex");
    for (;;) {
      signal.throwIfAborted();
      const now = Date.now();
      if (!limit) {
        const held = this.store.cached(model)?.state.held_until ?? 0;
        if (held <= now) return NO_LEASE;
        onWait?.({ model, why: "held", until: held });
        await this.waitFor(model, held - now, signal);
        this.onWaited(model, "throttle", (Date.now() - now) / 1000);
        continue;
      }
      const entry = this.store.cached(model) ?? (await this.store.read(model)) ?? none();
      const d: CallDecision = decideCall(entry.state, limit, {
        id,
        prompt: call.prompt,
        outputCap: call.outputCap,
        now,
        windowMs: this.windowMs,
        leaseMs,
      });
      if (d.kind === "granted") {
        if ((await this.store.write(model, d.state, entry.revision)) !== undefined)
          return { done: (used) => this.settle(model, id, used) };
        await this.store.read(model); // another worker wrote first: decide again on its state
        continue;
      }
      onWait?.({ model, why: d.why, until: d.until });
      await this.waitFor(model, d.until - now, signal);
      this.onWaited(model, d.why === "held" ? "throttle" : d.why, (Date.now() - now) / 1000);
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

  private settle(model: string, id: string, used: CallUsage): Promise<void> {
    return this.update(model, (state) => settleCall(state, id, used), "settle");
  }

  /** Apply `change` to the model's state by compare-and-set; a failure is logged (leases expire on their own). */
  private async update(
    model: string,
    change: (state: LimitEntry["state"]) => LimitEntry["state"],
    what: string,
  ): Promise<void> {
    try {
      for (let i = 0; i < WRITE_TRIES; i++) {
        const entry = this.store.cached(model) ?? (await this.store.read(model)) ?? none();
        if ((await this.store.write(model, change(entry.state), entry.revision)) !== undefined) return;
        await this.store.read(model);
      }
      this.log.warn({ model, what }, "model limit state not updated: too many concurrent writers");
    } catch (err) {
      this.log.warn({ model, what, err: errorMessage(err) }, "model limit state not updated");
    }
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
