import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { STREAM_EVENTS, STREAM_WORK, Subjects } from "../../src/core/events/index.ts";
import type { StoredEvent } from "../../src/core/ports/event-store.ts";
import { connectNats, JetStreamEventStore, provisionTopology, StreamReader } from "../../src/nats/index.ts";
import { exampleEvent } from "../core/events/examples.ts";
import { FAILOVER, type NatsClusterHandle, retryUntil, startNatsCluster } from "../support/index.ts";

const TASK_ID = "cluster-task";
const TYPES = ["task.created", "task.queued", "task.started", "task.completed"] as const;

async function collect(it: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

describe("event backbone on a 3-node JetStream cluster", () => {
  let cluster: NatsClusterHandle;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  before(async () => {
    cluster = await startNatsCluster(3);
    await cluster.waitForJetStream();
    nc = await connectNats(cluster.urls.join(","), "cluster-test");
  });

  after(async () => {
    await nc?.close();
    await cluster?.stop();
  });

  it("given a cluster, when provisioned with replicas 3, then every stream has 3 replicas", async () => {
    jsm = await retryUntil(() => provisionTopology(nc, { replicas: 3 }), FAILOVER);
    for (const name of [STREAM_EVENTS, STREAM_WORK, "OBJ_agents-outputs"]) {
      const info = await retryUntil(async () => {
        const i = await jsm.streams.info(name);
        // The stream is R3 once a leader and both followers are known.
        assert.equal(i.cluster?.replicas?.length, 2, `${name} followers`);
        return i;
      }, FAILOVER);
      assert.equal(info.config.num_replicas, 3, name);
      assert.ok(info.cluster?.leader, `${name} has a leader`);
    }
  });

  it("given R3 streams, when a process provisions with the default replicas, then every stream keeps 3", async () => {
    // What every actor does when it starts (agents worker, orchestrator, gateway): no replicas given.
    await retryUntil(() => provisionTopology(nc, {}), FAILOVER);
    for (const name of [STREAM_EVENTS, STREAM_WORK, "OBJ_agents-outputs", "KV_agents-leases"]) {
      const info = await retryUntil(() => jsm.streams.info(name), FAILOVER);
      assert.equal(info.config.num_replicas, 3, `${name} was scaled down`);
    }
  });

  it("given the AGENTS leader is killed, when publishing, then events are stored once and read back in order", async () => {
    const publisher = new JetStreamEventStore(nc);
    const subject = Subjects.task(TASK_ID);
    const [first, ...rest] = TYPES;
    await publisher.append(subject, exampleEvent(first, {}, { id: `c-${first}`, task_id: TASK_ID }));

    const leader = (await jsm.streams.info(STREAM_EVENTS)).cluster?.leader;
    const victim = cluster.nodes.find((_, i) => `n${i + 1}` === leader);
    assert.ok(victim, `leader ${leader} is one of the nodes`);
    await victim.kill();

    for (const type of rest) {
      // A retry after a lost ack re-sends the same id, so the event is still stored once.
      const event = exampleEvent(type, {}, { id: `c-${type}`, task_id: TASK_ID });
      await retryUntil(() => publisher.append(subject, event, { timeoutMs: 2_000 }), FAILOVER);
    }

    const history = await retryUntil(() => collect(new StreamReader(nc).readEvents(subject)), FAILOVER);
    assert.deepEqual(
      history.map((e) => e.event.type),
      [...TYPES],
    );
    const info = await retryUntil(() => jsm.streams.info(STREAM_EVENTS), FAILOVER);
    assert.notEqual(info.cluster?.leader, leader, "a new leader was elected");
  });

  it("when the cluster is stopped, then no node process is alive and no folder remains", async () => {
    await nc.close();
    const pids = cluster.nodes.map((node) => node.pid);
    const dirs = cluster.nodes.map((node) => node.storeDir);
    await cluster.stop();
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), `pid ${pid} still alive`);
    for (const dir of dirs) assert.equal(existsSync(dir), false, `${dir} still exists`);
  });
});
