// What nats-server does with a consumer under AckPolicy.All, which the orchestrator's one-ack-per-run
// design rests on (src/nats/ack-floor.ts): an ack covers every message at or below it, a +TERM is
// such an ack too (so the orchestrator never terms), and a +NAK does not move the floor but the
// message comes back, while an ack of a later message would cover it (so the orchestrator never
// naks either: it retries a failing input itself, holding the floor).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  AckPolicy,
  type Consumer,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { eventually, type NatsServerHandle, startNatsServer } from "../support/index.ts";

const STREAM = "PROBE";
const NS_PER_MS = 1_000_000;

describe("given a consumer with AckPolicy.All on nats-server", () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  before(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    js = jetstream(nc);
    jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: STREAM, subjects: ["probe.>"] });
  });
  after(async () => {
    await nc.close();
    await nats.stop();
  });

  /** A fresh consumer on a fresh subject with `n` messages, and those messages pulled (not acked). */
  const deliver = async (name: string, n: number): Promise<{ consumer: Consumer; msgs: JsMsg[] }> => {
    for (let i = 0; i < n; i++) await js.publish(`probe.${name}`, String(i));
    await jsm.consumers.add(STREAM, {
      durable_name: name,
      filter_subject: `probe.${name}`,
      ack_policy: AckPolicy.All,
      deliver_policy: DeliverPolicy.All,
      ack_wait: 60_000 * NS_PER_MS,
    });
    const consumer = await js.consumers.get(STREAM, name);
    const batch = await consumer.fetch({ max_messages: n, expires: 5000 });
    const msgs: JsMsg[] = [];
    for await (const m of batch) msgs.push(m);
    assert.equal(msgs.length, n, "every message delivered");
    return { consumer, msgs };
  };
  const info = (name: string) => jsm.consumers.info(STREAM, name);

  it("when the third of five is acked, then the floor is at the third and two are ack-pending", async () => {
    const { msgs } = await deliver("ack", 5);
    assert.ok(await msgs[2]?.ackAck());
    const c = await info("ack");
    assert.equal(c.ack_floor.stream_seq, msgs[2]?.seq);
    assert.equal(c.num_ack_pending, 2);
  });

  it("when the third of five is termed, then every message up to it is acked: a term is an ack", async () => {
    const { msgs } = await deliver("term", 5);
    msgs[2]?.term();
    // The first two were never acked, nor termed, and are gone with the floor all the same.
    await eventually(async () => (await info("term")).ack_floor.stream_seq === msgs[2]?.seq, 20_000);
    assert.equal((await info("term")).num_ack_pending, 2);
  });

  it("when the first of three is nak'd, then the floor stays below it, it comes back, and acking the last covers it", async () => {
    const { consumer, msgs } = await deliver("nak", 3);
    msgs[0]?.nak();
    const again = await consumer.next({ expires: 5000 });
    assert.ok(again, "the nak'd message is delivered again");
    assert.equal(again.seq, msgs[0]?.seq);
    assert.equal(again.info.deliveryCount, 2);
    const held = await info("nak");
    assert.equal(held.ack_floor.stream_seq, 0, "the floor waits below the nak'd message");
    assert.equal(held.num_ack_pending, 3);
    // Acking a later message acks the nak'd one too, handled or not: a nak is no hold on the floor.
    assert.ok(await msgs[2]?.ackAck());
    const c = await info("nak");
    assert.equal(c.ack_floor.stream_seq, msgs[2]?.seq);
    assert.equal(c.num_ack_pending, 0);
  });
});
