import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { FAILOVER, type NatsClusterHandle, retryUntil, startNatsCluster } from "../support/index.ts";

describe("startNatsCluster", () => {
  let cluster: NatsClusterHandle;
  let nc: NatsConnection;

  before(async () => {
    cluster = await startNatsCluster(3);
    await cluster.waitForJetStream();
    nc = await connect({ servers: cluster.urls, reconnectTimeWait: 250 });
  });

  after(async () => {
    await nc?.close();
    await cluster?.stop();
  });

  it("given 3 nodes, an R3 stream accepts publishes", async () => {
    assert.equal(cluster.urls.length, 3);
    const jsm = await jetstreamManager(nc);
    await retryUntil(() => jsm.streams.add({ name: "T", subjects: ["t.>"], num_replicas: 3 }), FAILOVER);
    const ack = await jetstream(nc).publish("t.a", "x");
    assert.equal(ack.stream, "T");
  });

  it("when one node is killed, the stream still answers and accepts publishes; it can restart", async () => {
    const victim = cluster.nodes[0];
    assert.ok(victim);
    await victim.kill();
    const js = jetstream(nc, { timeout: 2_000 });
    const ack = await retryUntil(() => js.publish("t.a", "y"), FAILOVER);
    assert.equal(ack.stream, "T");
    // checkAPI: false, or creating the manager itself would need the meta leader that is being re-elected.
    const jsm = await jetstreamManager(nc, { timeout: 2_000, checkAPI: false });
    const info = await retryUntil(() => jsm.streams.info("T"), FAILOVER);
    assert.ok(info.state.messages >= 2);
    await victim.restart();
    await cluster.waitForJetStream();
  });

  it("when stopped, no node process is alive and no folder remains", async () => {
    await nc.close();
    const pids = cluster.nodes.map((node) => node.pid);
    const dirs = cluster.nodes.map((node) => node.storeDir);
    await cluster.stop();
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), `pid ${pid} still alive`);
    for (const dir of dirs) assert.equal(existsSync(dir), false, `${dir} still exists`);
  });
});
