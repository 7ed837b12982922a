// Snapshots of the orchestrator's state: read at a cold start (then only the events after it are
// folded), and written while leading by a shadow fold of the stream up to the ack floor. The live
// state cannot be written as it is: it holds the orchestrator's own events applied ahead of the
// floor, out of stream order, while a snapshot must be exactly the fold of a stream prefix.
import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage } from "../../core/errors.ts";
import { misplaced, ORCHESTRATOR_SNAPSHOTS_BUCKET, Subjects } from "../../core/events/index.ts";
import { evolve, initialState, type OrchestratorState } from "../../core/orchestrator/index.ts";
import { decodeState, encodeState, STATE_SNAPSHOT_VERSION } from "../../core/orchestrator/snapshot.ts";
import type { Logger } from "../../core/ports/logger.ts";
import type { Connection } from "../../nats/connection.ts";
import type { JetStreamEventStore } from "../../nats/event-store.ts";
import { SnapshotBucket } from "../../nats/fold-snapshots.ts";

const KIND = "orchestrator";

export type SnapshotSettings = {
  /** Events folded between two snapshots; 0 writes none (they are still read). */
  everyEvents: number;
  /** How often (ms) the leader looks whether a snapshot is due. */
  checkMs: number;
};

/** A fold in progress: the state and the last stream sequence folded into it. */
export type Fold = { state: OrchestratorState; seq: number };

/**
 * Fold the valid events after `fold.seq` up to `toSeq` into `fold.state`, moving `fold.seq` with each
 * one, so a read that fails halfway leaves a fold that goes on exactly where it stopped. What the
 * live path refuses (a type out of place on its subject) is not folded either; an event the fold
 * refuses is reported, not fatal. Returns how many events were read.
 */
export async function foldRange(
  events: JetStreamEventStore,
  fold: Fold,
  toSeq: number,
  refused: (err: unknown, seq: number, type: string) => void,
): Promise<number> {
  let n = 0;
  if (toSeq <= fold.seq) return 0;
  for await (const e of events.read(Subjects.all, { fromSeq: fold.seq + 1, toSeq })) {
    if (!misplaced(e.subject, e.event)) {
      try {
        evolve(fold.state, e.event, e.seq);
      } catch (err) {
        refused(err, e.seq, e.event.type);
      }
    }
    fold.seq = e.seq;
    n++;
  }
  fold.seq = toSeq;
  return n;
}

/** The orchestrator's snapshots under one name (its consumer's), in their bucket. */
export class StateSnapshots {
  private bucket: Promise<SnapshotBucket> | undefined;

  constructor(
    private readonly nc: Connection,
    private readonly name: string,
    private readonly log: Logger,
  ) {}

  /** The newest snapshot covering at most `maxSeq`, or null (then the fold starts from the stream). */
  async load(maxSeq: number): Promise<{ state: OrchestratorState; seq: number } | null> {
    try {
      const found = await (await this.open()).read(this.name, {
        kind: KIND,
        version: STATE_SNAPSHOT_VERSION,
      });
      if (!found.ok) {
        if (found.reason !== "no snapshot")
          this.log.warn({ reason: found.reason }, "state snapshot not used");
        return null;
      }
      if (found.header.seq > maxSeq) {
        const reason = `it covers sequence ${found.header.seq}, past the ack floor ${maxSeq}`;
        this.log.warn({ reason }, "state snapshot not used");
        return null;
      }
      let body = "";
      for await (const line of found.lines()) body += line;
      const decoded = decodeState(JSON.parse(body));
      if (!decoded.ok) {
        this.log.warn({ reason: decoded.reason }, "state snapshot not used");
        return null;
      }
      return { state: decoded.state, seq: found.header.seq };
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, "state snapshot not read; folding from the stream");
      return null;
    }
  }

  /** Store `state`, the fold of the stream up to `seq`. */
  async save(state: OrchestratorState, seq: number): Promise<number> {
    const { bytes } = await (await this.open()).write(
      this.name,
      { kind: KIND, version: STATE_SNAPSHOT_VERSION, seq },
      [JSON.stringify(encodeState(state))],
    );
    return bytes;
  }

  private open(): Promise<SnapshotBucket> {
    this.bucket ??= SnapshotBucket.open(this.nc, ORCHESTRATOR_SNAPSHOTS_BUCKET).catch((err: unknown) => {
      this.bucket = undefined;
      throw err;
    });
    return this.bucket;
  }
}

/**
 * While leading: every `checkMs`, when the ack floor is `everyEvents` past the last snapshot, fold a
 * shadow copy of the state up to the floor and store it. Starts from the state folded at the start
 * of the tenure (exactly the fold to `seq`), so it reads each event once more, never the whole stream.
 */
export async function writeSnapshots(o: {
  snapshots: StateSnapshots;
  events: JetStreamEventStore;
  settings: SnapshotSettings;
  /** The state folded at the start of the tenure, its sequence, and the last snapshot's sequence. */
  start: { state: OrchestratorState; seq: number; lastSnapshot: number };
  floor: () => Promise<number>;
  log: Logger;
  signal: AbortSignal;
}): Promise<void> {
  if (o.settings.everyEvents <= 0) return;
  // A copy: the live state moves on (and is mutated in place) while this one folds behind it.
  const copy = decodeState(JSON.parse(JSON.stringify(encodeState(o.start.state))));
  let shadow: Fold = copy.ok ? { state: copy.state, seq: o.start.seq } : { state: initialState(), seq: 0 };
  let written = o.start.lastSnapshot;
  while (!o.signal.aborted) {
    try {
      const floor = await o.floor();
      if (floor < shadow.seq) {
        // The consumer was recreated behind the fold: start the shadow over, as the live fold does.
        shadow = { state: initialState(), seq: 0 };
        written = 0;
      }
      if (floor - written >= o.settings.everyEvents) {
        const t0 = Date.now();
        const events = await foldRange(o.events, shadow, floor, (err, seq, type) =>
          o.log.debug({ err: errorMessage(err), seq, type }, "event not applied (snapshot fold)"),
        );
        const bytes = await o.snapshots.save(shadow.state, shadow.seq);
        written = shadow.seq;
        o.log.info(
          { seq: written, events, bytes, ms: Date.now() - t0 },
          "orchestrator state snapshot written",
        );
      }
    } catch (err) {
      o.log.warn({ err: errorMessage(err) }, "orchestrator state snapshot not written; trying again later");
    }
    await sleep(o.settings.checkMs, undefined, { signal: o.signal }).catch(() => undefined);
  }
}
