// Per-model concurrency limits and slow-downs after a provider said 429.
import { setTimeout as sleep } from "node:timers/promises";

/** Told how long a run waited for `model`, and why (held back after a 429, or no free place). */
export type WaitObserver = (model: string, reason: "throttle" | "concurrency", seconds: number) => void;

export class ModelGate {
  private readonly running = new Map<string, number>();
  private readonly waiters = new Map<string, Array<() => void>>();
  private readonly slowUntil = new Map<string, number>();

  constructor(
    private readonly limits: ReadonlyMap<string, number>,
    private readonly onWaited: WaitObserver = () => undefined,
  ) {}

  /** Wait for a free place for `model` (and past any slow-down); returns the release function. */
  async acquire(model: string, signal: AbortSignal, onWait?: () => void): Promise<() => void> {
    const limit = this.limits.get(model) ?? Number.POSITIVE_INFINITY;
    while (!signal.aborted) {
      const until = this.slowUntil.get(model) ?? 0;
      const t0 = performance.now();
      if (until > Date.now()) {
        onWait?.();
        await sleep(Math.min(until - Date.now(), 5000), undefined, { signal }).catch(() => undefined);
        this.onWaited(model, "throttle", (performance.now() - t0) / 1000);
        continue;
      }
      if ((this.running.get(model) ?? 0) < limit) break;
      onWait?.();
      await new Promise<void>((resolve) => {
        const list = this.waiters.get(model) ?? [];
        list.push(resolve);
        this.waiters.set(model, list);
        setTimeout(resolve, 5000);
      });
      this.onWaited(model, "concurrency", (performance.now() - t0) / 1000);
    }
    this.running.set(model, (this.running.get(model) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running.set(model, Math.max((this.running.get(model) ?? 1) - 1, 0));
      this.waiters.get(model)?.shift()?.();
    };
  }

  /** After a 429: hold new runs of `model` for `ms`. */
  slowDown(model: string, ms: number): void {
    this.slowUntil.set(model, Math.max(this.slowUntil.get(model) ?? 0, Date.now() + ms));
  }
}
