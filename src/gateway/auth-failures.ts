// Failed authentications per client address in fixed one-minute windows: past the limit, an address
// gets 429 for the rest of its window, whatever key it sends, so keys cannot be guessed at speed.
// Bounded: at most MAX_ADDRESSES are remembered (the oldest window is forgotten first).

const WINDOW_MS = 60_000;
const MAX_ADDRESSES = 10_000;

type Window = { failures: number; endsAt: number };

export class AuthFailures {
  private readonly windows = new Map<string, Window>();

  constructor(
    /** Failed authentications an address may make per minute. */
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** ms until this address may try again, or 0 when it may now. */
  retryAfterMs(address: string): number {
    const w = this.current(address);
    return w && w.failures >= this.perMinute ? w.endsAt - this.now() : 0;
  }

  /** Count one failed authentication from this address. */
  record(address: string): void {
    const w = this.current(address);
    if (w) {
      w.failures++;
      return;
    }
    if (this.windows.size >= MAX_ADDRESSES) this.prune();
    this.windows.set(address, { failures: 1, endsAt: this.now() + WINDOW_MS });
  }

  private current(address: string): Window | undefined {
    const w = this.windows.get(address);
    if (w && w.endsAt <= this.now()) {
      this.windows.delete(address);
      return undefined;
    }
    return w;
  }

  /** Forget ended windows; if none ended, the oldest one (Maps keep insertion order). */
  private prune(): void {
    const now = this.now();
    for (const [address, w] of this.windows) if (w.endsAt <= now) this.windows.delete(address);
    if (this.windows.size >= MAX_ADDRESSES) {
      const oldest = this.windows.keys().next();
      if (!oldest.done) this.windows.delete(oldest.value);
    }
  }
}
