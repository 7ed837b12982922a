// Snapshots of the projections: every document of every collection with the checkpoint they are
// folded to, so a store that starts empty (the embedded one, at every start) reads a snapshot plus
// the tail of the stream, and a rebuild works once retention removed the stream's first events.
import { z } from "zod";
import type { Logger } from "../core/ports/logger.ts";
import type { SnapshotBucket } from "../nats/fold-snapshots.ts";
import {
  type Batch,
  COLLECTIONS,
  type CollectionName,
  type ProjectionStore,
  type StoreDump,
} from "./store.ts";

/**
 * The documents' version. Raise it whenever a read model's document or evolve changes (the
 * recorded-stream fixture's projections change with it): a snapshot of another version is ignored
 * and the store is folded from the stream.
 */
export const PROJECTIONS_SNAPSHOT_VERSION = 1;

const KIND = "projections";
/** One object for every store: documents are the same whatever adapter holds them. */
const NAME = "projections";
/** Documents applied to the store per batch while loading. */
const LOAD_BATCH = 5000;

const Line = z.tuple([
  z.enum(COLLECTIONS as [CollectionName, ...CollectionName[]]),
  z.looseObject({ _key: z.string(), seq: z.number().int().nonnegative() }),
]);

/** Store a dump (documents and the checkpoint they are folded to). */
export async function writeProjectionSnapshot(
  bucket: SnapshotBucket,
  dump: StoreDump,
): Promise<{ seq: number; docs: number; bytes: number }> {
  let docs = 0;
  function* lines(): Generator<string> {
    for (const c of COLLECTIONS)
      for (const doc of dump[c]) {
        docs++;
        yield JSON.stringify([c, doc]);
      }
  }
  const { bytes } = await bucket.write(
    NAME,
    { kind: KIND, version: PROJECTIONS_SNAPSHOT_VERSION, seq: dump.checkpoint },
    lines(),
  );
  return { seq: dump.checkpoint, docs, bytes };
}

/**
 * Fill an empty store from the newest usable snapshot; its checkpoint moves to the snapshot's only
 * with the last batch, so a load cut short leaves a store that folds from the start. Returns the
 * snapshot's sequence and document count, or null when there is none to use (the reason is logged).
 */
export async function loadProjectionSnapshot(
  bucket: SnapshotBucket,
  store: ProjectionStore,
  log: Logger,
): Promise<{ seq: number; docs: number } | null> {
  const found = await bucket.read(NAME, { kind: KIND, version: PROJECTIONS_SNAPSHOT_VERSION });
  if (!found.ok) {
    if (found.reason !== "no snapshot") log.warn({ reason: found.reason }, "projections snapshot not used");
    return null;
  }
  const seq = found.header.seq;
  let pending: Record<string, unknown[]> = {};
  let inBatch = 0;
  let docs = 0;
  const flush = async (checkpoint: number) => {
    await store.apply({ upserts: pending as Batch["upserts"], deletes: {}, checkpoint });
    pending = {};
    inBatch = 0;
  };
  for await (const text of found.lines()) {
    const parsed = Line.safeParse(JSON.parse(text));
    if (!parsed.success || parsed.data[1].seq > seq)
      throw new Error(
        `projections snapshot line ${docs + 1} is not a document of version ${PROJECTIONS_SNAPSHOT_VERSION}`,
      );
    const [c, doc] = parsed.data;
    const list = pending[c] ?? [];
    list.push(doc);
    pending[c] = list;
    docs++;
    if (++inBatch >= LOAD_BATCH) await flush(0);
  }
  await flush(seq);
  return { seq, docs };
}
