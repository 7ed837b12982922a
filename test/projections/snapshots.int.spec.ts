// Projection snapshots against a real nats-server: the recorded v1 stream folded through a snapshot
// gives the same projections as the full fold (the fixture's dump), a rebuild works once retention
// removed the stream's first events, and a snapshot of another version or another stream is ignored.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, it } from "node:test";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import { PROJECTION_SNAPSHOTS_BUCKET } from "../../src/core/events/index.ts";
import { SnapshotBucket } from "../../src/nats/fold-snapshots.ts";
import { provisionTopology } from "../../src/nats/index.ts";
import {
  createEmbeddedStore,
  PROJECTIONS_SNAPSHOT_VERSION,
  ProjectionRunner,
} from "../../src/projections/index.ts";
import { type RecordedMessage, readJsonLines, STREAM_FILES } from "../fixtures/streams/recorded.ts";
import { quietLog, type Stream, startStream } from "./support.ts";

async function publish(stream: Stream, messages: RecordedMessage[]): Promise<void> {
  const js = jetstream(stream.nc);
  for (const m of messages) {
    const h = headers();
    for (const [k, v] of Object.entries(m.headers)) h.set(k, v);
    const ack = await js.publish(m.subject, m.payload, { headers: h });
    assert.equal(ack.seq, m.seq);
  }
}

const plain = (x: unknown) => JSON.parse(JSON.stringify(x));

describe("given the recorded v1 stream and a projections snapshot bucket", () => {
  let stream: Stream;
  let recorded: RecordedMessage[];
  let expected: unknown;
  let bucket: SnapshotBucket;
  /** A runner on a fresh embedded store; `null`: without snapshots. */
  const runner = (snapshots: SnapshotBucket | null = bucket) =>
    new ProjectionRunner({
      nc: stream.nc,
      store: createEmbeddedStore(),
      log: quietLog,
      snapshots: snapshots ?? undefined,
    });

  beforeEach(async () => {
    stream = await startStream();
    recorded = await readJsonLines<RecordedMessage>(STREAM_FILES.messages);
    expected = JSON.parse(await readFile(STREAM_FILES.projections, "utf8"));
    bucket = await SnapshotBucket.open(stream.nc, PROJECTION_SNAPSHOTS_BUCKET);
  });
  afterEach(() => stream.stop());

  it("when a store starts from a snapshot of the first 80 messages and folds the tail, then it equals the full fold", async () => {
    await publish(stream, recorded.slice(0, 80));
    const a = runner();
    await a.catchUp();
    const written = await a.snapshot();
    assert.equal(written?.seq, 80);
    assert.ok((written?.docs ?? 0) > 10, `${written?.docs} documents`);
    await publish(stream, recorded.slice(80));

    const b = runner();
    await b.start();
    assert.equal(b.stats().snapshot_seq, 80, "started from the snapshot");
    await b.catchUp();
    await b.stop();
    assert.deepEqual(plain(await b.store.dump()), expected);
  });

  it("when retention removed the first 60 messages, then a replay starts from the snapshot and equals the full fold", async () => {
    await publish(stream, recorded.slice(0, 80));
    const a = runner();
    await a.catchUp();
    await a.snapshot();
    await publish(stream, recorded.slice(80));
    // What max_age or max_bytes does to the oldest messages.
    await (await jetstreamManager(stream.nc)).streams.purge("AGENTS", { seq: 61 });

    const without = runner(null);
    const lossy = await without.replay();
    assert.equal(lossy.first_seq, 61);
    assert.equal(lossy.snapshot_seq, null);
    assert.notDeepEqual(plain(await without.store.dump()), expected, "the stream alone no longer gives it");

    const b = runner();
    const done = await b.replay();
    assert.equal(done.snapshot_seq, 80);
    assert.equal(done.applied, recorded.length - 80, "only the tail was read");
    assert.deepEqual(plain(await b.store.dump()), expected);
  });

  it("when the snapshot is of another version, then it is ignored and the store folds from the stream", async () => {
    await publish(stream, recorded);
    await bucket.write(
      "projections",
      { kind: "projections", version: PROJECTIONS_SNAPSHOT_VERSION + 1, seq: 80 },
      [JSON.stringify(["jobs", { _key: "planted", seq: 1 }])],
    );
    const found = await bucket.read("projections", {
      kind: "projections",
      version: PROJECTIONS_SNAPSHOT_VERSION,
    });
    assert.equal(found.ok, false);
    assert.match(found.ok ? "" : found.reason, /version/);
    const b = runner();
    await b.start();
    await b.catchUp();
    await b.stop();
    assert.equal(b.stats().snapshot_seq, 0);
    assert.deepEqual(plain(await b.store.dump()), expected);
  });

  it("when the snapshot was written against another stream, then its anchor or its sequence does not match and it is ignored", async () => {
    await publish(stream, recorded.slice(0, 80));
    const a = runner();
    await a.catchUp();
    await a.snapshot();
    // The stream is recreated with other messages at the same sequences (e.g. a restore of another system).
    const jsm = await jetstreamManager(stream.nc);
    await jsm.streams.delete("AGENTS");
    await provisionTopology(stream.nc);
    const fewer = await bucket.read("projections", {
      kind: "projections",
      version: PROJECTIONS_SNAPSHOT_VERSION,
    });
    assert.equal(fewer.ok, false, "sequence 80 is past the stream's end");
    const js = jetstream(stream.nc);
    for (let i = 0; i < 90; i++) await js.publish("agents.rejected", `{"other":${i}}`);
    const other = await bucket.read("projections", {
      kind: "projections",
      version: PROJECTIONS_SNAPSHOT_VERSION,
    });
    assert.equal(other.ok, false);
    assert.match(other.ok ? "" : other.reason, /not the one it was written after/);
  });
});
