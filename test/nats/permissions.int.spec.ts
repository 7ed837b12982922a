// Each role's NATS user against a real nats-server started with the shipped deploy/nats/auth.conf:
// what it may do, and what the server refuses.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { initialSystem } from "../../src/core/control/index.ts";
import {
  newEvent,
  ORCHESTRATOR_SNAPSHOTS_BUCKET,
  PROJECTION_SNAPSHOTS_BUCKET,
  STREAM_EVENTS,
  STREAM_WORK,
  Subjects,
  SYSTEM_BUCKET,
  SYSTEM_KEY,
  workConsumerName,
} from "../../src/core/events/index.ts";
import { SnapshotBucket } from "../../src/nats/fold-snapshots.ts";
import { JetStreamEventStore, provisionTopology, StreamReader } from "../../src/nats/index.ts";
import { SystemRecords } from "../../src/nats/system-record.ts";
import { isPermissionDenied } from "../../src/nats/topology-access.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { exampleEvent } from "../core/events/examples.ts";
import { type SecuredNats, startSecuredNats } from "../support/secured-nats.ts";

/** The promise rejects because the server refused a subject to this user. */
async function refused(p: Promise<unknown>, what: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => isPermissionDenied(err), `${what} should be refused`);
}

const workItem = (task: string, queue: string) => ({
  task_id: task,
  job_id: "jperm",
  queue,
  band: "normal",
  priority: 1000,
  attempt: 1,
});

describe("NATS users and permissions (shipped deploy/nats/auth.conf)", () => {
  let s: SecuredNats;
  const conns = new Map<string, NatsConnection>();
  const as = (user: string) => {
    const nc = conns.get(user);
    if (!nc) throw new Error(`not connected as ${user}`);
    return nc;
  };

  before(async () => {
    s = await startSecuredNats();
    for (const user of ["orchestrator", "worker", "critic", "gateway", "projector", "operator", "submitter"])
      conns.set(user, await s.connectAs(user));
    // The orchestrator owns the topology, and dispatches one item to each of two queues.
    await provisionTopology(as("orchestrator"), { workAckWaitMs: 3000 });
    const pub = new JetStreamEventStore(as("orchestrator"));
    await pub.appendJson(Subjects.work("critic", "normal"), workItem("jperm-i1-c1", "critic"), "w-c");
    await pub.appendJson(Subjects.work("standard", "normal"), workItem("jperm-i1-g", "standard"), "w-s");
    const created = exampleEvent("task.created", {}, { task_id: "jperm-i1-g", job_id: "jperm" });
    await pub.append(Subjects.task("jperm-i1-g"), created);
  });
  after(async () => {
    for (const nc of conns.values()) await nc.close();
    await s?.stop();
  });

  it("given no credentials or a wrong password, when a client connects, then the server refuses it", async () => {
    await assert.rejects(connect({ servers: s.nats.url }), /Authorization/i);
    await assert.rejects(connect({ servers: s.nats.url, user: "worker", pass: "wrong" }), /Authorization/i);
  });

  it("given the topology exists, when the orchestrator provisions it again, then nothing it sends is refused", async () => {
    await provisionTopology(as("orchestrator"), { workAckWaitMs: 3000 });
    assert.deepEqual(
      s.violations().filter((v) => v.user === "orchestrator"),
      [],
    );
  });

  it("given a worker identity, when it publishes on agents.control.>, then the server refuses it and nothing is stored", async () => {
    const js = jetstream(as("worker"));
    await refused(js.publish(Subjects.controlStop, '{"reason":"not mine"}'), "control.stop");
    await refused(js.publish(Subjects.controlCancel, '{"job_id":"jperm"}'), "control.cancel");
    assert.equal(await new StreamReader(as("operator")).lastSequence(Subjects.control), 0);
  });

  it("given the orchestrator records the system state, then workers read and watch it and follow control on the stream; nobody else writes it", async () => {
    const log = createLogger("test", "silent");
    const record = { ...initialSystem(), stopped: { reason: "perm test", since: new Date().toISOString() } };
    await (await SystemRecords.open(as("orchestrator"), log)).write({ ...record, seq: 1, control_seq: 1 });
    for (const user of ["worker", "critic"]) {
      const records = await SystemRecords.open(as(user), log);
      assert.equal((await records.read()).stopped?.reason, "perm test", `${user} reads the record`);
      const abort = new AbortController();
      const seen: string[] = [];
      await records.watch((r) => {
        seen.push(r.stopped?.reason ?? "running");
        abort.abort();
      }, abort.signal);
      assert.deepEqual(seen, ["perm test"], `${user} watches the record`);
      const reader = new StreamReader(as(user));
      for await (const _ of reader.readRange({ filter: Subjects.control, fromSeq: 1, toSeq: 1 })) break;
    }
    for (const user of ["worker", "gateway"])
      await refused(
        jetstream(as(user)).publish(`$KV.${SYSTEM_BUCKET}.${SYSTEM_KEY}`, "{}"),
        `${user} writing the system record`,
      );
    assert.deepEqual(
      s.violations().filter((v) => v.user === "orchestrator" || v.user === "critic"),
      [],
    );
  });

  it("given a worker identity for standard and heavy, when it reaches for the critic queue's work, then every way is refused and the item stays", async () => {
    const nc = as("worker");
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const critic = workConsumerName("critic", "normal");
    await refused(jsm.consumers.info(STREAM_WORK, critic), "consumer info");
    await refused(js.consumers.get(STREAM_WORK, critic), "consumers.get");
    await refused(
      nc.request(`$JS.API.CONSUMER.MSG.NEXT.${STREAM_WORK}.${critic}`, '{"batch":1}'),
      "a raw pull",
    );
    await refused(
      jsm.consumers.add(STREAM_WORK, { filter_subject: "agents.work.critic.>", ack_policy: AckPolicy.None }),
      "an ephemeral consumer on the work stream",
    );
    await refused(jsm.streams.getMessage(STREAM_WORK, { seq: 1 }), "a direct read of the work stream");
    const sub = nc.subscribe(Subjects.workOf("critic"));
    await refused(
      (async () => {
        for await (const _ of sub) return;
      })(),
      "a subscription to the critic work subjects",
    );
    const info = await (await jetstreamManager(as("orchestrator"))).consumers.info(STREAM_WORK, critic);
    assert.equal(info.num_pending, 1, "the critic's item is still waiting");
  });

  it("given a worker identity, when it takes work of its own queue, then it may pull, read the task and ack", async () => {
    const js = jetstream(as("worker"));
    const consumer = await js.consumers.get(STREAM_WORK, workConsumerName("standard", "normal"));
    const msg = await consumer.next({ expires: 5000 });
    assert.ok(msg, "the standard item is delivered");
    assert.equal(msg.json<{ task_id: string }>().task_id, "jperm-i1-g");
    const history = [];
    for await (const e of new StreamReader(as("worker")).readEvents(Subjects.task("jperm-i1-g")))
      history.push(e.event.type);
    assert.deepEqual(history, ["task.created"]);
    assert.equal(await msg.ackAck(), true);
  });

  it("given a worker identity, when it reads the whole event stream through a consumer, then it is refused (task subjects only)", async () => {
    const jsm = await jetstreamManager(as("worker"));
    await refused(
      jsm.consumers.add(STREAM_EVENTS, {
        name: "peek",
        filter_subject: Subjects.all,
        ack_policy: AckPolicy.None,
        deliver_policy: DeliverPolicy.All,
      }),
      "a consumer on agents.>",
    );
    await refused(
      (async () => {
        for await (const _ of new StreamReader(as("worker")).readEvents(Subjects.all)) return;
      })(),
      "an ordered read of agents.>",
    );
  });

  it("given a worker identity, when it publishes a forged job.completed on the job's subject, then the server refuses it and the job subject stays empty", async () => {
    const forged = newEvent(
      "job.completed",
      {
        iterations_passed: 1,
        iterations_exhausted: 0,
        iterations_failed: 0,
        cost_usd: 0,
        reason: "all_done",
      },
      { job_id: "jperm", now: Date.now() },
    );
    const publisher = new JetStreamEventStore(as("worker"));
    await refused(publisher.append(Subjects.job("jperm"), forged), "job.completed from a worker");
    const stopped = newEvent("system.stopped", { reason: "forged" }, { now: Date.now() });
    await refused(publisher.append(Subjects.system, stopped), "system.stopped from a worker");
    await refused(
      publisher.appendJson(
        Subjects.work("standard", "high"),
        workItem("jperm-x", "standard"),
        "forged-dispatch",
      ),
      "a dispatch from a worker",
    );
    await refused(
      publisher.appendJson(Subjects.critique("jperm-i1-c1"), {}, "c"),
      "a critique from a worker",
    );
    await refused(jetstream(as("worker")).publish("$KV.agents-leases.orchestrator", "{}"), "the lease");
    const reader = new StreamReader(as("operator"));
    assert.equal(await reader.lastSequence(Subjects.job("jperm")), 0);
    assert.equal(await reader.lastSequence(Subjects.system), 0);
  });

  it("task subjects are shared by the orchestrator and workers (the residual trust of per-task optimistic concurrency): a worker may append to any task", async () => {
    const publisher = new JetStreamEventStore(as("worker"));
    const queued = exampleEvent(
      "task.queued",
      {},
      { task_id: "jperm-i1-g", job_id: "jperm", id: "q-by-worker" },
    );
    const ack = await publisher.append(Subjects.task("jperm-i1-g"), queued);
    assert.ok(ack.seq > 0, "stored: the server cannot tell a worker's task.queued from the orchestrator's");
  });

  it("given a critic identity, when it records a critique on its task's critique subject, then it is stored; standard work stays out of reach", async () => {
    const event = exampleEvent("critique.recorded", {}, { task_id: "jperm-i1-c1", job_id: "jperm" });
    const ack = await new JetStreamEventStore(as("critic")).append(Subjects.critique("jperm-i1-c1"), event);
    assert.ok(ack.seq > 0);
    await refused(
      jetstream(as("critic")).consumers.get(STREAM_WORK, workConsumerName("standard", "high")),
      "standard work for the critic",
    );
    await refused(
      new JetStreamEventStore(as("critic")).append(Subjects.job("jperm"), event),
      "a critique on the job subject (the old place)",
    );
  });

  it("given the gateway identity, when it tries to consume work, then the server refuses it; it may submit, control, read events and the work consumers' counts", async () => {
    const nc = as("gateway");
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const lane = workConsumerName("critic", "normal");
    // It may read a lane's counts (the queue gauges of its /metrics), never take work from it.
    assert.equal((await jsm.consumers.info(STREAM_WORK, lane)).name, lane);
    await refused(
      nc.request(`$JS.API.CONSUMER.MSG.NEXT.${STREAM_WORK}.${lane}`, '{"batch":1}'),
      "a raw pull",
    );
    await refused(
      jsm.consumers.add(STREAM_WORK, { filter_subject: Subjects.workAll, ack_policy: AckPolicy.None }),
      "a consumer on the work stream",
    );
    const sub = nc.subscribe(Subjects.workAll);
    await refused(
      (async () => {
        for await (const _ of sub) return;
      })(),
      "a subscription to the work subjects",
    );
    await refused(
      new JetStreamEventStore(nc).append(Subjects.task("jperm-i1-g"), exampleEvent("task.completed")),
      "a task event from the gateway",
    );
    const ack = await js.publish(Subjects.submit, JSON.stringify({ spec: "x", count: 1 }));
    assert.ok(ack.seq > 0);
    const events = [];
    for await (const e of new StreamReader(nc).readEvents(Subjects.all)) events.push(e);
    assert.ok(events.length > 0, "the gateway reads every event (SSE, projections)");
  });

  it("given the gateway or projector identity, when it reaches for the orchestrator's durable consumer, then it is refused", async () => {
    await jetstreamManager(as("orchestrator")).then((jsm) =>
      jsm.consumers.add(STREAM_EVENTS, {
        durable_name: "orchestrator",
        filter_subject: Subjects.all,
        ack_policy: AckPolicy.Explicit,
      }),
    );
    for (const user of ["gateway", "projector", "worker"]) {
      const nc = as(user);
      const jsm = await jetstreamManager(nc);
      await refused(jsm.consumers.delete(STREAM_EVENTS, "orchestrator"), `${user} deleting it`);
      await refused(
        nc.request(`$JS.API.CONSUMER.MSG.NEXT.${STREAM_EVENTS}.orchestrator`, '{"batch":1}'),
        `${user} pulling from it`,
      );
    }
  });

  it("given the operator identity, when it publishes agents.control.stop, then it is stored and workers hear it; it writes no events", async () => {
    const heard = new Promise<string>((resolve) => {
      as("worker").subscribe(Subjects.control, { max: 1, callback: (_e, m) => resolve(m.subject) });
    });
    await as("worker").flush();
    const ack = await jetstream(as("operator")).publish(Subjects.controlStop, '{"reason":"drill"}');
    assert.ok(ack.seq > 0);
    assert.equal(await heard, Subjects.controlStop);
    await refused(
      new JetStreamEventStore(as("operator")).append(Subjects.job("jperm"), exampleEvent("job.cancelled")),
      "a job event from the operator",
    );
  });

  it("given the submitter and projector identities, then the one may only submit and the other only read", async () => {
    const ack = await jetstream(as("submitter")).publish(Subjects.submit, '{"spec":"y","count":1}');
    assert.ok(ack.seq > 0);
    await refused(jetstream(as("submitter")).publish(Subjects.controlStop, "{}"), "control from a submitter");
    await refused(jetstream(as("projector")).publish(Subjects.submit, "{}"), "a submission from a projector");
    let n = 0;
    for await (const _ of new StreamReader(as("projector")).readEvents(Subjects.all)) n++;
    assert.ok(n > 0);
  });

  it("given the snapshot buckets, then only the orchestrator writes its state snapshot, and gateway and projector the projections' one", async () => {
    const header = { kind: "test", version: 1, seq: 1 };
    const orchestrator = await SnapshotBucket.open(as("orchestrator"), ORCHESTRATOR_SNAPSHOTS_BUCKET);
    await orchestrator.write("orchestrator", header, ['{"a":1}']);
    await orchestrator.write("orchestrator", header, ['{"a":2}']); // replacing purges the old chunks
    const found = await orchestrator.read("orchestrator", { kind: "test", version: 1 });
    assert.ok(found.ok);
    const lines: string[] = [];
    for await (const l of found.lines()) lines.push(l);
    assert.deepEqual(lines, ['{"a":2}']);
    const bucketStream = await (await jetstreamManager(as("operator"))).streams.info(
      `OBJ_${ORCHESTRATOR_SNAPSHOTS_BUCKET}`,
    );
    assert.equal(
      bucketStream.state.messages,
      2,
      "one chunk and one metadata message: the old chunk was purged",
    );
    const forged = SnapshotBucket.open(as("gateway"), ORCHESTRATOR_SNAPSHOTS_BUCKET).then((b) =>
      b.write("orchestrator", header, ['{"forged":true}']),
    );
    await refused(forged, "a state snapshot from the gateway");
    for (const user of ["gateway", "projector"]) {
      const b = await SnapshotBucket.open(as(user), PROJECTION_SNAPSHOTS_BUCKET);
      await b.write("projections", header, [`{"by":"${user}"}`]);
    }
    await refused(
      SnapshotBucket.open(as("worker"), PROJECTION_SNAPSHOTS_BUCKET).then((b) =>
        b.write("projections", header, ["{}"]),
      ),
      "a projections snapshot from a worker",
    );
  });
});
