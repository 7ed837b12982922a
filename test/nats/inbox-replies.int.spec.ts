// JetStream publishes with their acks on one inbox subscription (src/nats/inbox-replies.ts) answer and
// fail as js.publish does, on a real nats-server.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager } from "@nats-io/jetstream";
import { RequestError, TimeoutError } from "@nats-io/transport-node";
import { type Connection, connectNats, isTransient } from "../../src/nats/connection.ts";
import { InboxReplies, repliesOf } from "../../src/nats/inbox-replies.ts";
import { type NatsServerHandle, startNatsServer } from "../support/index.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("InboxReplies", () => {
  let server: NatsServerHandle;
  let nc: Connection;
  before(async () => {
    server = await startNatsServer();
    nc = await connectNats(server.url, "inbox-replies");
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "PA", subjects: ["pa.>"] });
  });
  after(async () => {
    await nc.close();
    await server.stop();
  });

  it("given a stream, when messages are published, then each gets its sequence and a repeated msgID is a duplicate", async () => {
    const acks = repliesOf(nc);
    assert.equal(repliesOf(nc), acks, "one per connection");
    const [a, b] = await Promise.all([
      acks.publish("pa.one", bytes("1"), { msgID: "m1", timeoutMs: 10_000 }),
      acks.publish("pa.two", bytes("2"), { msgID: "m2", timeoutMs: 10_000 }),
    ]);
    assert.deepEqual(
      [a, b].map((x) => [x.stream, x.duplicate]),
      [
        ["PA", false],
        ["PA", false],
      ],
    );
    assert.notEqual(a.seq, b.seq);
    const again = await acks.publish("pa.one", bytes("1"), { msgID: "m1", timeoutMs: 10_000 });
    assert.deepEqual(again, { stream: "PA", seq: a.seq, duplicate: true });
  });

  it("given an expected last subject sequence the subject moved past, then the server's refusal is a JetStreamApiError", async () => {
    const acks = repliesOf(nc);
    const first = await acks.publish("pa.seq", bytes("1"), { msgID: "s1", timeoutMs: 10_000 });
    const ok = await acks.publish("pa.seq", bytes("2"), {
      msgID: "s2",
      expectedLastSubjectSequence: first.seq,
      timeoutMs: 10_000,
    });
    assert.equal(ok.duplicate, false);
    await assert.rejects(
      acks.publish("pa.seq", bytes("3"), {
        msgID: "s3",
        expectedLastSubjectSequence: first.seq,
        timeoutMs: 10_000,
      }),
      (err: unknown) =>
        err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamWrongLastSequence,
    );
  });

  it("given a subject no stream holds, then the publish fails as no responders, a transient error", async () => {
    await assert.rejects(
      repliesOf(nc).publish("nowhere.x", bytes("1"), { msgID: "n1", timeoutMs: 10_000 }),
      (err: unknown) => err instanceof RequestError && err.isNoResponders() && isTransient(err),
    );
  });

  it("given a responder that never answers, then the publish times out, a transient error", async () => {
    const sub = nc.subscribe("silent.x", { callback: () => undefined });
    try {
      await assert.rejects(
        repliesOf(nc).publish("silent.x", bytes("1"), { msgID: "t1", timeoutMs: 300 }),
        (err: unknown) => err instanceof TimeoutError && isTransient(err),
      );
    } finally {
      sub.unsubscribe();
    }
  });

  it("given a publish waiting for its ack, when the connection closes, then it fails at once as a closed connection", async () => {
    const other = await connectNats(server.url, "inbox-replies-closing");
    const sub = nc.subscribe("silent.y", { callback: () => undefined });
    try {
      await nc.flush();
      const acks = new InboxReplies(other);
      const waiting = acks.publish("silent.y", bytes("1"), { msgID: "c1", timeoutMs: 120_000 });
      await other.flush();
      await other.close();
      await assert.rejects(
        waiting,
        (err: unknown) => err instanceof RequestError && /closed/.test(err.message),
      );
    } finally {
      sub.unsubscribe();
    }
  });
});
