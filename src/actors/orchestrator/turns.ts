// Who may touch the orchestrator's state when. Inputs about one job take turns in stream order;
// inputs about different jobs run side by side (their decisions read and write only their own job
// and its tasks, and their appends go to different subjects, so no expected-sequence chain is
// shared); anything else (control commands, system events, a reconciler pass) runs alone, after
// every turn scheduled before it and before every turn scheduled after it.

export class Turns {
  /** The last exclusive turn (settled, never rejected). */
  private barrier: Promise<void> = Promise.resolve();
  /** The last turn per job, scheduled since the last exclusive turn. */
  private readonly lanes = new Map<string, Promise<void>>();
  /** Keyed turns not settled yet: an exclusive turn waits for all of them. */
  private readonly running = new Set<Promise<void>>();

  /** Run `fn` after the last exclusive turn and after every earlier turn of `key`. */
  keyed(key: string, fn: () => Promise<void>): Promise<void> {
    const run = Promise.all([this.lanes.get(key), this.barrier]).then(fn);
    const settled = run.catch(() => undefined);
    this.lanes.set(key, settled);
    this.running.add(settled);
    void settled.then(() => {
      this.running.delete(settled);
      if (this.lanes.get(key) === settled) this.lanes.delete(key);
    });
    return run;
  }

  /** Run `fn` alone: after every turn scheduled so far, before any scheduled later. */
  exclusive(fn: () => Promise<void>): Promise<void> {
    const run = Promise.all([this.barrier, ...this.running]).then(fn);
    this.barrier = run.catch(() => undefined);
    // Every lane so far is part of what the barrier waits for; later keyed turns wait for it.
    this.lanes.clear();
    return run;
  }
}
