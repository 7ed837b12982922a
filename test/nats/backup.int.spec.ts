// The restore drill: load a stream, back it up with `agents backup`, restore it into a fresh server
// with `agents restore`, replay the projections there: the same projections, the same sequences,
// objects, lease and consumer state.
import assert from "node:assert/strict";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  LEASES_BUCKET,
  PROJECTION_SNAPSHOTS_BUCKET,
  STREAM_EVENTS,
  Subjects,
} from "../../src/core/events/index.ts";
import { BACKUP_STREAMS, readBackup } from "../../src/nats/backup.ts";
import { SnapshotBucket } from "../../src/nats/fold-snapshots.ts";
import { Artifacts, JetStreamEventStore, provisionTopology } from "../../src/nats/index.ts";
import {
  createEmbeddedStore,
  PROJECTIONS_SNAPSHOT_VERSION,
  ProjectionRunner,
} from "../../src/projections/index.ts";
import { exampleEvent } from "../core/events/examples.ts";
import { runCli } from "../e2e/support.ts";
import { publishWorkload, quietLog } from "../projections/support.ts";
import { generateWorkload } from "../projections/workload.ts";
import { type NatsServerHandle, startNatsServer } from "../support/index.ts";
import { startSecuredNats } from "../support/secured-nats.ts";

/** Every projection document, folded from stream sequence 1. */
async function replayed(nc: NatsConnection) {
  const store = createEmbeddedStore();
  const runner = new ProjectionRunner({ nc, store, log: quietLog });
  const done = await runner.replay();
  const dump = await store.dump();
  await store.close();
  return { dump, applied: done.applied };
}

async function streamStates(nc: NatsConnection) {
  const jsm = await jetstreamManager(nc);
  const out: Record<string, { messages: number; first_seq: number; last_seq: number }> = {};
  for (const name of BACKUP_STREAMS) {
    const { state } = await jsm.streams.info(name);
    // An empty stream's first sequence is not kept (the server restores it as 1): compare it only
    // when there are messages.
    out[name] = {
      messages: state.messages,
      first_seq: state.messages > 0 ? state.first_seq : 0,
      last_seq: state.last_seq,
    };
  }
  return out;
}

const BIG = "a large output over several object chunks. ".repeat(8000);

describe("backup and restore drill", () => {
  let dir: string;
  let a: NatsServerHandle;
  let b: NatsServerHandle;
  let na: NatsConnection;
  let nb: NatsConnection;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "agents-backup-"));
    a = await startNatsServer();
    b = await startNatsServer();
    na = await connect({ servers: a.url });
    await provisionTopology(na);
    await publishWorkload(na, generateWorkload({ jobs: 4, iterations: 6, seed: 7 }));
    const artifacts = await Artifacts.open(na);
    await artifacts.putText("outputs/drill/1", "a small output");
    await artifacts.putText("outputs/drill/2", BIG);
    const leases = await new Kvm(na).open(LEASES_BUCKET);
    await leases.put("orchestrator", JSON.stringify({ holder: "drill-host-1", ttl_ms: 15000 }));
    // A durable consumer with an ack floor, as the orchestrator's is.
    const jsm = await jetstreamManager(na);
    await jsm.consumers.add(STREAM_EVENTS, {
      durable_name: "orchestrator",
      filter_subject: Subjects.all,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
    const consumer = await jetstream(na).consumers.get(STREAM_EVENTS, "orchestrator");
    for (let i = 0; i < 10; i++) await (await consumer.next({ expires: 5000 }))?.ackAck();
    // Work waiting in the queue, two items of it taken already.
    const publisher = new JetStreamEventStore(na);
    for (let i = 1; i <= 5; i++)
      await publisher.appendJson(
        Subjects.work("standard", "normal"),
        {
          task_id: `drill-${i}`,
          job_id: "drill",
          queue: "standard",
          band: "normal",
          priority: 1000,
          attempt: 1,
        },
        `drill-${i}`,
      );
    const work = await jetstream(na).consumers.get("AGENTS_WORK", "work-standard-normal");
    for (let i = 0; i < 2; i++) await (await work.next({ expires: 5000 }))?.ackAck();
  });
  after(async () => {
    await na?.close();
    await nb?.close();
    await a?.stop();
    await b?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("given a loaded stream, when it is backed up, restored into a fresh server and replayed, then the projections are the same", async () => {
    const before = await replayed(na);
    assert.ok(before.applied > 500, `a real load (${before.applied} messages)`);
    // A projections snapshot travels with the backup (once retention trims the stream, it holds the rest).
    const snapshots = await SnapshotBucket.open(na, PROJECTION_SNAPSHOTS_BUCKET);
    const writer = new ProjectionRunner({ nc: na, store: createEmbeddedStore(), log: quietLog, snapshots });
    await writer.catchUp();
    const written = await writer.snapshot();
    assert.ok(written && written.seq > 500);
    const backupDir = join(dir, "b1");
    const out = await runCli(["backup", backupDir], { NATS_URL: a.url });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, /backup: AGENTS: \d+ messages/, "progress is reported");
    assert.match(out.stderr, /backup: AGENTS done: /);
    assert.match(out.stdout, /backed up 7 streams/);

    const back = await runCli(["restore", backupDir], { NATS_URL: b.url });
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stderr, /restore: OBJ_agents-outputs done: /);
    nb = await connect({ servers: b.url });
    assert.deepEqual(
      await streamStates(nb),
      await streamStates(na),
      "the same messages at the same sequences",
    );
    const after = await replayed(nb);
    assert.deepEqual(after.dump, before.dump);
    const snapshot = await (await SnapshotBucket.open(nb, PROJECTION_SNAPSHOTS_BUCKET)).read("projections", {
      kind: "projections",
      version: PROJECTIONS_SNAPSHOT_VERSION,
    });
    assert.ok(snapshot.ok && snapshot.header.seq === written.seq, "the restored snapshot is usable");

    const restored = await Artifacts.open(nb);
    assert.equal(await restored.getText("outputs/drill/1"), "a small output");
    assert.equal(await restored.getText("outputs/drill/2"), BIG);
    const lease = await (await new Kvm(nb).open(LEASES_BUCKET)).get("orchestrator");
    assert.deepEqual(JSON.parse(lease?.string() ?? "{}"), { holder: "drill-host-1", ttl_ms: 15000 });
    const info = await (await jetstreamManager(nb)).consumers.info(STREAM_EVENTS, "orchestrator");
    assert.equal(info.ack_floor.stream_seq, 10, "consumers come back with their state");
    const lane = await (await jetstreamManager(nb)).consumers.info("AGENTS_WORK", "work-standard-normal");
    assert.deepEqual(
      [lane.num_pending, lane.ack_floor.stream_seq],
      [3, 2],
      "the waiting work, not the taken",
    );
    assert.ok(await (await jetstreamManager(nb)).consumers.info("AGENTS_WORK", "work-critic-high"));
  });

  it("given a server that has the streams already, when restoring, then it refuses before touching anything", async () => {
    const again = await runCli(["restore", join(dir, "b1")], { NATS_URL: b.url });
    assert.equal(again.code, 1);
    assert.match(
      again.stderr,
      /already has AGENTS, AGENTS_WORK, OBJ_agents-outputs, OBJ_agents-orchestrator-snapshots, OBJ_agents-projection-snapshots, KV_agents-leases, KV_agents-system/,
    );
  });

  it("given a backup whose data was altered, then reading it fails on the checksum", async () => {
    const copy = join(dir, "tampered");
    await runCli(["backup", copy], { NATS_URL: a.url });
    const file = join(copy, "AGENTS.tar.s2");
    const bytes = await readFile(file);
    bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0xff;
    await writeFile(file, bytes);
    await assert.rejects(readBackup(copy), /AGENTS\.tar\.s2: its SHA-256 does not match the manifest/);
    await copyFile(join(copy, "backup.json"), join(dir, "backup.json"));
    const none = await runCli(["backup", copy], { NATS_URL: a.url });
    assert.equal(none.code, 1, "a folder holding a backup is not written over");
  });

  it("given the operator identity on servers with the shipped permissions, then it may back up and restore", async () => {
    const src = await startSecuredNats();
    const dst = await startSecuredNats();
    try {
      const orch = await src.connectAs("orchestrator");
      await provisionTopology(orch);
      await new JetStreamEventStore(orch).append(
        Subjects.task("t-op"),
        exampleEvent("task.created", {}, { task_id: "t-op" }),
      );
      await orch.close();
      const target = join(dir, "op");
      const out = await runCli(["backup", target], src.envFor("operator"));
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stderr, /the system is not stopped/, "a live backup is flagged");
      const back = await runCli(["restore", target], dst.envFor("operator"));
      assert.equal(back.code, 0, back.stderr);
      const check = await dst.connectAs("operator");
      const { state } = await (await jetstreamManager(check)).streams.info(STREAM_EVENTS);
      await check.close();
      assert.equal(state.messages, 1);
      assert.deepEqual(
        [...src.violations(), ...dst.violations()].filter((v) => v.user === "operator"),
        [],
        "the operator's permissions cover snapshots and restores",
      );
    } finally {
      await src.stop();
      await dst.stop();
    }
  });
});
