// Bookkeeping of the runner: callers waiting for a stream sequence, replay progress, and running
// store work one piece at a time.

import { setTimeout as sleep } from "node:timers/promises";
import { NotReadyError } from "../core/errors.ts";

type Waiter = { seq: number; resolve: () => void; reject: (err: Error) => void };

/** Callers waiting for a stream sequence: released as it is applied, failed at their deadline. */
export class SeqWaiters {
  private readonly waiting = new Set<Waiter>();

  /** Resolve once `advance` reaches `seq`; `current` is the sequence applied now. */
  wait(seq: number, current: () => number, timeoutMs: number): Promise<void> {
    if (current() >= seq) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(w);
        reject(new NotReadyError(`projections reached ${current()}, not ${seq}, within ${timeoutMs} ms`));
      }, timeoutMs);
      const w: Waiter = {
        seq,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.waiting.add(w);
    });
  }

  /** Release everyone waiting for `seq` or less. */
  advance(seq: number): void {
    for (const w of this.waiting) {
      if (w.seq > seq) continue;
      this.waiting.delete(w);
      w.resolve();
    }
  }

  /** Fail everyone still waiting. */
  failAll(reason: string): void {
    for (const w of this.waiting) w.reject(new NotReadyError(reason));
    this.waiting.clear();
  }
}

export type ReplayProgress = {
  /** Stream messages read so far (events and skipped commands). */
  applied: number;
  /** Messages to read when the run began. */
  total: number;
  /** Last stream sequence applied. */
  seq: number;
  elapsed_ms: number;
  events_per_sec: number;
};

export type ReplayOptions = {
  onProgress?: (p: ReplayProgress) => void;
  /** Report every this many messages (and once at the end). Default 10 000. */
  progressEvery?: number;
};

/** Counts messages of a bounded read and reports progress every `every` messages. */
export class ProgressMeter {
  private readonly started = performance.now();
  private applied = 0;
  private reported = -1;
  private nextReport: number;
  private readonly every: number;
  private readonly total: number;
  private readonly onProgress: ((p: ReplayProgress) => void) | undefined;

  constructor(total: number, every: number, onProgress: ((p: ReplayProgress) => void) | undefined) {
    this.total = total;
    this.every = Math.max(1, every);
    this.nextReport = this.every;
    this.onProgress = onProgress;
  }

  /** Count `n` more messages, reporting when a step is crossed. */
  add(n: number, seq: number): void {
    this.applied += n;
    if (this.applied < this.nextReport) return;
    this.nextReport = this.applied + this.every;
    this.reported = this.applied;
    this.onProgress?.(this.snapshot(seq));
  }

  /** Report (unless just reported) and return the final figures. */
  finish(seq: number): ReplayProgress {
    const p = this.snapshot(seq);
    if (this.reported !== this.applied) this.onProgress?.(p);
    return p;
  }

  private snapshot(seq: number): ReplayProgress {
    const elapsed_ms = performance.now() - this.started;
    const events_per_sec = elapsed_ms > 0 ? Math.round((this.applied / elapsed_ms) * 1000) : 0;
    return {
      applied: this.applied,
      total: this.total,
      seq,
      elapsed_ms: Math.round(elapsed_ms),
      events_per_sec,
    };
  }
}

/** Runs async work one piece at a time, in call order (a failure does not block what follows). */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  /** Run `fn` after everything queued before it. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

/** Run `once` again and again until the signal aborts, pausing `delayMs` after each end or failure. */
export async function restarting(
  signal: AbortSignal,
  delayMs: number,
  once: () => Promise<void>,
  onError: (err: unknown) => void,
): Promise<void> {
  while (!signal.aborted) {
    try {
      await once();
    } catch (err) {
      if (signal.aborted) break;
      onError(err);
    }
    if (!signal.aborted) await sleep(delayMs, undefined, { signal }).catch(() => undefined);
  }
}
