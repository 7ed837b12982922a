// The projection runner: follows the AGENTS stream from the store's checkpoint with an ordered
// consumer, folds messages in batches (each applied atomically with its checkpoint), restarts from
// the store's checkpoint after any failure, and rebuilds a store from sequence 1 on demand. With a
// snapshot bucket, an empty store starts from the newest snapshot, and it writes snapshots.
import { Registry } from "prom-client";
import { errorMessage } from "../core/errors.ts";
import type { Logger } from "../core/ports/logger.ts";
import type { Connection } from "../nats/connection.ts";
import type { SnapshotBucket } from "../nats/fold-snapshots.ts";
import { StreamReader } from "../nats/stream-reader.ts";
import { applicableAfter, inChunks, type RawMessage } from "./decode.ts";
import { planBatch } from "./fold.ts";
import { type ProjectionMetrics, projectionMetrics } from "./metrics.ts";
import {
  ProgressMeter,
  type ReplayOptions,
  type ReplayProgress,
  restarting,
  SeqWaiters,
  Serial,
} from "./progress.ts";
import { loadProjectionSnapshot, writeProjectionSnapshot } from "./snapshots.ts";
import type { ProjectionStore } from "./store.ts";

export type ProjectionRunnerOptions = {
  nc: Connection;
  store: ProjectionStore;
  log: Logger;
  /** Stream messages folded into one store transaction. Default 500. */
  batchSize?: number;
  /** Pause before the follower restarts after a failure (ms). Default 1000. */
  retryDelayMs?: number;
  /** Where the runner's metrics are registered (the process's /metrics). Default: a private one. */
  registry?: Registry;
  /** Where projection snapshots are read and written (none: the store always folds from its checkpoint). */
  snapshots?: SnapshotBucket | undefined;
};

/** A replay's figures, and where it started: a snapshot's sequence (or null) and the stream's first. */
export type ReplayDone = ReplayProgress & { snapshot_seq: number | null; first_seq: number };

/** Keeps a ProjectionStore up to date with the AGENTS stream (runners may share a store). */
export class ProjectionRunner {
  readonly store: ProjectionStore;
  private readonly log: Logger;
  private readonly batchSize: number;
  private readonly retryDelayMs: number;
  private readonly reader: StreamReader;
  private applied = 0;
  private follower: { abort: AbortController; done: Promise<void> } | null = null;
  private readonly waiters = new SeqWaiters();
  private readonly serial = new Serial();
  private failed = 0;
  private readonly metrics: ProjectionMetrics;
  private readonly snapshots: SnapshotBucket | undefined;
  /** Sequence of the newest snapshot this runner read or wrote (0: none). */
  private snapshotSeq = 0;

  constructor(o: ProjectionRunnerOptions) {
    this.metrics = projectionMetrics(o.registry ?? new Registry());
    this.snapshots = o.snapshots;
    this.store = o.store;
    this.log = o.log;
    this.batchSize = Math.max(1, o.batchSize ?? 500);
    this.retryDelayMs = o.retryDelayMs ?? 1000;
    this.reader = new StreamReader(o.nc);
  }

  /**
   * Last sequence applied, follower failures so far (each restarted from the store's checkpoint),
   * and the sequence of the newest snapshot read or written here.
   */
  stats(): { applied_seq: number; failures: number; snapshot_seq: number } {
    return { applied_seq: this.applied, failures: this.failed, snapshot_seq: this.snapshotSeq };
  }

  /**
   * Start following new events from the store's checkpoint (an empty store first takes the newest
   * snapshot); returns once the follower runs.
   */
  async start(): Promise<void> {
    if (this.follower) return;
    await this.serial.run(() => this.seedFromSnapshot());
    this.applied = await this.store.checkpoint();
    this.launch();
  }

  /**
   * Store a snapshot of the store as of its checkpoint (taken under the write lock, so documents and
   * checkpoint agree). Null when there is no bucket or nothing applied yet.
   */
  async snapshot(): Promise<{ seq: number; docs: number; bytes: number } | null> {
    if (!this.snapshots) return null;
    const dump = await writeLock(this.store).run(() => this.store.dump());
    if (dump.checkpoint === 0) return null;
    const written = await writeProjectionSnapshot(this.snapshots, dump);
    this.snapshotSeq = Math.max(this.snapshotSeq, written.seq);
    return written;
  }

  /** Stop following; pending waitFor calls fail. */
  async stop(): Promise<void> {
    await this.halt();
    this.waiters.failAll("the projection runner was stopped");
  }

  /**
   * Rebuild the store from sequence 1, reporting progress; following (if on) resumes afterwards.
   * Once retention removed the stream's first events, the rebuild starts from the newest snapshot
   * and folds the events after it; without one it folds what is left (and says what is missing).
   */
  async replay(o: ReplayOptions = {}): Promise<ReplayDone> {
    const wasFollowing = this.follower !== null;
    await this.halt();
    try {
      return await this.serial.run(async () => {
        await this.store.reset();
        this.applied = 0;
        const bounds = await this.reader.bounds();
        const truncated = bounds.messages > 0 && bounds.first_seq > 1;
        const seeded = truncated ? await this.seedFromSnapshot() : null;
        const from = (seeded?.seq ?? 0) + 1;
        this.applied = from - 1;
        if (truncated && from < bounds.first_seq)
          this.log.warn(
            { first_seq: bounds.first_seq, snapshot_seq: seeded?.seq ?? null },
            `the stream starts at sequence ${bounds.first_seq} and no snapshot covers sequences ${from}–${bounds.first_seq - 1}: the projections hold only what is left`,
          );
        const total = Math.max(0, bounds.last_seq - Math.max(from, bounds.first_seq) + 1);
        const done = await this.readThrough(from, bounds.last_seq, total, o);
        return { ...done, snapshot_seq: seeded?.seq ?? null, first_seq: bounds.first_seq };
      });
    } finally {
      if (wasFollowing) this.launch();
    }
  }

  // An empty store takes the newest usable snapshot; one that cannot be read leaves it empty.
  private async seedFromSnapshot(): Promise<{ seq: number; docs: number } | null> {
    if (!this.snapshots || (await this.store.checkpoint()) > 0) return null;
    const bucket = this.snapshots;
    const t0 = Date.now();
    try {
      const seeded = await writeLock(this.store).run(() =>
        loadProjectionSnapshot(bucket, this.store, this.log),
      );
      if (seeded) this.snapshotSeq = seeded.seq;
      if (seeded)
        this.log.info(
          { ...seeded, ms: Date.now() - t0 },
          "projections read from a snapshot; folding the events after it",
        );
      return seeded;
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, "projections snapshot not read; folding from the stream");
      await this.store.reset();
      return null;
    }
  }

  /** Stream messages not yet applied: stream last sequence − store checkpoint (for metrics). */
  async lag(): Promise<number> {
    const { last_seq } = await this.reader.bounds();
    return Math.max(0, last_seq - (await this.store.checkpoint()));
  }

  /** Resolve once stream sequence `seq` is applied; NotReadyError after `timeoutMs` (default 10 s). */
  waitFor(seq: number, timeoutMs = 10_000): Promise<void> {
    return this.waiters.wait(seq, () => this.applied, timeoutMs);
  }

  /** Apply everything in the stream now (waiting for the follower, or reading it directly when stopped). */
  async catchUp(timeoutMs = 30_000): Promise<number> {
    const { last_seq } = await this.reader.bounds();
    if (this.follower) {
      await this.waitFor(last_seq, timeoutMs);
      return last_seq;
    }
    await this.serial.run(async () => {
      const from = (await this.store.checkpoint()) + 1;
      this.applied = from - 1;
      await this.readThrough(from, last_seq, Math.max(0, last_seq - from + 1), {});
    });
    return last_seq;
  }

  private launch(): void {
    const abort = new AbortController();
    this.follower = { abort, done: this.follow(abort.signal) };
  }

  private async halt(): Promise<void> {
    const f = this.follower;
    if (!f) return;
    this.follower = null;
    f.abort.abort();
    await f.done;
  }

  private follow(signal: AbortSignal): Promise<void> {
    return restarting(
      signal,
      this.retryDelayMs,
      () => this.followOnce(signal),
      (err) => {
        this.failed += 1;
        this.metrics.restarts.inc();
        const msg = "projection follower failed; restarting from the store checkpoint";
        this.log.warn({ err: errorMessage(err), checkpoint: this.applied }, msg);
      },
    );
  }

  // One ordered consumer from the store's checkpoint, until it fails or the runner stops.
  private async followOnce(signal: AbortSignal): Promise<void> {
    const fromSeq = (await this.store.checkpoint()) + 1;
    this.applied = fromSeq - 1;
    const apply = (batch: RawMessage[]) => this.serial.run(() => this.applyRaw(batch));
    await this.reader.followBatches({ fromSeq, batchSize: this.batchSize, idleFlushMs: 20, signal, apply });
  }

  // Read a bounded range in batches (replay and catch-up while not following).
  private async readThrough(from: number, to: number, total: number, o: ReplayOptions) {
    const meter = new ProgressMeter(total, o.progressEvery ?? 10_000, o.onProgress);
    for await (const chunk of inChunks(this.reader.readRange({ fromSeq: from, toSeq: to }), this.batchSize)) {
      await this.applyRaw(chunk);
      meter.add(chunk.length, this.applied);
    }
    return meter.finish(this.applied);
  }

  // Fold one run of messages into a batch and apply it with its checkpoint.
  private async applyRaw(raw: readonly RawMessage[]): Promise<void> {
    const items = applicableAfter(raw, this.applied, (r) =>
      this.log.warn({ seq: r.seq, subject: r.subject }, "not a valid event; projections skip it"),
    );
    const last = items.at(-1);
    if (!last) return;
    const t0 = performance.now();
    // Read, fold and write under the store's lock: two runners on one store (two gateways in one
    // process, say) must not both fold from the same read and overwrite each other's documents.
    await writeLock(this.store).run(async () =>
      this.store.apply(await planBatch(this.store, items, last.seq)),
    );
    this.metrics.batches.observe((performance.now() - t0) / 1000);
    this.metrics.applied.inc(items.filter((i) => i.event !== null).length);
    this.log.debug({ from: items[0]?.seq, to: last.seq }, "projections applied a batch");
    this.applied = last.seq;
    this.waiters.advance(last.seq);
  }
}

const locks = new WeakMap<ProjectionStore, Serial>();

/** The write lock of one store object (per process: across processes, run one writer per store). */
function writeLock(store: ProjectionStore): Serial {
  let lock = locks.get(store);
  if (!lock) {
    lock = new Serial();
    locks.set(store, lock);
  }
  return lock;
}
