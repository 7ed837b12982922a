import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { pino } from "pino";
import { ConcurrencyError } from "../../src/core/errors.ts";
import {
  AgentEvent,
  type AgentEventType,
  STREAM_EVENTS,
  Subjects,
  workLanes,
} from "../../src/core/events/index.ts";
import type { StoredEvent } from "../../src/core/ports/event-store.ts";
import {
  type ConsumedMessage,
  connectNats,
  consumeLoop,
  JetStreamEventStore,
  provisionTopology,
  StreamReader,
} from "../../src/nats/index.ts";
import { exampleEvent } from "../core/events/examples.ts";
import { type NatsServerHandle, retryUntil, startNatsServer } from "../support/index.ts";

const log = pino({ level: "silent" });
const soon = { timeoutMs: 10_000, intervalMs: 50 };

async function collect(it: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

// Stream and consumer configs of every stream; `created` and state are left out on purpose.
async function topologySnapshot(jsm: JetStreamManager) {
  const streams = (await jsm.streams.list().next()).sort((a, b) =>
    a.config.name.localeCompare(b.config.name),
  );
  const out: Record<string, { config: unknown; consumers: Record<string, unknown> }> = {};
  for (const s of streams) {
    const consumers = await jsm.consumers.list(s.config.name).next();
    out[s.config.name] = {
      config: s.config,
      consumers: Object.fromEntries(consumers.map((c) => [c.name, c.config])),
    };
  }
  return out;
}

// A task event with its own id, on task `taskId`.
function taskEvent<T extends AgentEventType>(type: T, taskId: string, id: string) {
  return exampleEvent(type, {}, { id, task_id: taskId });
}

describe("event backbone on a real nats-server", () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let publisher: JetStreamEventStore;

  before(async () => {
    server = await startNatsServer();
    nc = await connectNats(server.url, "backbone-test");
    jsm = await provisionTopology(nc);
    js = jetstream(nc);
    publisher = new JetStreamEventStore(nc);
  });

  after(async () => {
    await nc?.close();
    await server?.stop();
  });

  it("given a provisioned server, when provisioned again, then streams and consumers are unchanged", async () => {
    const first = await topologySnapshot(jsm);
    assert.ok(first[STREAM_EVENTS], "AGENTS stream exists");
    assert.equal(
      Object.keys(first.AGENTS_WORK?.consumers ?? {}).length,
      workLanes().length,
      "one consumer per route × queue × band",
    );
    assert.equal(workLanes().length, 27);
    await provisionTopology(nc);
    const second = await topologySnapshot(jsm);
    assert.deepEqual(second, first);
  });

  it("given an event published twice with one id, then the second ack is a duplicate and one message is kept", async () => {
    const subject = Subjects.task("dup");
    const event = taskEvent("task.created", "dup", "dup-created");
    const a = await publisher.append(subject, event);
    const b = await publisher.append(subject, event);
    assert.equal(a.duplicate, false);
    assert.equal(b.duplicate, true);
    assert.equal(b.seq, a.seq);
    const info = await jsm.streams.info(STREAM_EVENTS, { subjects_filter: subject });
    assert.deepEqual(info.state.subjects, { [subject]: 1 });
  });

  it("given two publishers racing with the same expected sequence, then exactly one wins and the other gets ConcurrencyError", async () => {
    const subject = Subjects.task("race");
    const created = await publisher.append(subject, taskEvent("task.created", "race", "race-created"));
    const other = await connectNats(server.url, "backbone-test-2");
    try {
      const rival = new JetStreamEventStore(other);
      const results = await Promise.allSettled([
        publisher.append(subject, taskEvent("task.queued", "race", "race-a"), { expectedSeq: created.seq }),
        rival.append(subject, taskEvent("task.queued", "race", "race-b"), { expectedSeq: created.seq }),
      ]);
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      assert.equal(won.length, 1);
      assert.equal(lost.length, 1);
      const err: unknown = lost[0]?.reason;
      assert.ok(err instanceof ConcurrencyError, String(err));
      assert.equal(err.code, "CONCURRENCY_CONFLICT");
      assert.equal(err.expectedSequence, created.seq);
      const history = await collect(new StreamReader(nc).readEvents(subject));
      assert.deepEqual(
        history.map((e) => e.event.type),
        ["task.created", "task.queued"],
      );
    } finally {
      await other.close();
    }
  });

  it("given bad messages ahead of a good one, when consumed, then they are terminated and recorded and the good one is handled", async () => {
    const subject = Subjects.task("t1");
    await jsm.consumers.add(STREAM_EVENTS, {
      durable_name: "test-rejects",
      filter_subject: Subjects.tasks,
      ack_policy: AckPolicy.Explicit,
      // Only this test's messages: other tests published on agents.task.* before.
      deliver_policy: DeliverPolicy.New,
    });
    const notJson = await js.publish(subject, "this is not json");
    const invalid = await js.publish(subject, JSON.stringify({ type: "task.started", data: {} }));
    const good = taskEvent("task.created", "t1", "t1-created");
    const goodAck = await publisher.append(subject, good);

    const seen: Array<{ event: AgentEvent; seq: number }> = [];
    const abort = new AbortController();
    const loop = consumeLoop(nc, {
      stream: STREAM_EVENTS,
      consumer: "test-rejects",
      schema: AgentEvent,
      log,
      signal: abort.signal,
      handler: async (event: AgentEvent, msg: ConsumedMessage) => {
        seen.push({ event, seq: msg.seq });
        return undefined;
      },
    });
    try {
      await retryUntil(async () => assert.equal(seen.length, 1), soon);
    } finally {
      abort.abort();
      await loop;
    }
    assert.deepEqual(seen, [{ event: good, seq: goodAck.seq }]);

    const rejected = (await collect(new StreamReader(nc).readEvents(Subjects.rejected)))
      .map((e) => e.event)
      .filter((e) => e.type === "message.rejected");
    assert.deepEqual(
      rejected.map((e) => [e.data.subject, e.data.stream, e.data.stream_seq, e.data.consumer]),
      [
        [subject, STREAM_EVENTS, notJson.seq, "test-rejects"],
        [subject, STREAM_EVENTS, invalid.seq, "test-rejects"],
      ],
    );
    assert.match(rejected[0]?.data.reason ?? "", /not JSON/);
    assert.equal(rejected[0]?.data.excerpt, "this is not json");
    assert.match(rejected[1]?.data.reason ?? "", /data\.worker_id/);
    await retryUntil(async () => {
      const info = await jsm.consumers.info(STREAM_EVENTS, "test-rejects");
      assert.equal(info.num_ack_pending, 0);
      assert.equal(info.num_pending, 0);
    }, soon);
  });

  it("given a handler that throws once, when consumed, then the message is redelivered after a nak and then acked", async () => {
    const subject = Subjects.task("t2");
    await jsm.consumers.add(STREAM_EVENTS, {
      durable_name: "test-retry",
      filter_subject: subject,
      ack_policy: AckPolicy.Explicit,
    });
    await publisher.append(subject, taskEvent("task.created", "t2", "t2-created"));

    const deliveries: number[] = [];
    const abort = new AbortController();
    const loop = consumeLoop(nc, {
      stream: STREAM_EVENTS,
      consumer: "test-retry",
      schema: AgentEvent,
      log,
      signal: abort.signal,
      retryDelayMs: 20,
      handler: async (_event: AgentEvent, msg: ConsumedMessage) => {
        deliveries.push(msg.deliveryCount);
        if (deliveries.length === 1) throw new Error("transient: the store is down");
        return { kind: "ack" };
      },
    });
    try {
      await retryUntil(async () => assert.equal(deliveries.length, 2), soon);
      await retryUntil(async () => {
        const info = await jsm.consumers.info(STREAM_EVENTS, "test-retry");
        assert.equal(info.num_ack_pending, 0);
        assert.equal(info.num_pending, 0);
      }, soon);
    } finally {
      abort.abort();
      await loop;
    }
    assert.deepEqual(deliveries, [1, 2]);
    const rejected = (await collect(new StreamReader(nc).readEvents(Subjects.rejected))).filter(
      (e) => e.event.type === "message.rejected" && e.event.data.consumer === "test-retry",
    );
    assert.deepEqual(rejected, [], "a transient failure is not a rejection");
  });

  it("given a task's history, when read through its subject, then it comes back in order and lastEvent is the last", async () => {
    const taskId = "t3";
    const subject = Subjects.task(taskId);
    const types = ["task.created", "task.queued", "task.started", "task.completed"] as const;
    let seq = 0;
    for (const type of types) {
      const ack = await publisher.append(subject, taskEvent(type, taskId, `t3-${type}`), {
        expectedSeq: seq,
      });
      seq = ack.seq;
    }
    // Interleave another task's event: the filter must leave it out.
    await publisher.append(Subjects.task("t3-other"), taskEvent("task.created", "t3-other", "t3-other"));

    const history = await collect(new StreamReader(nc).readEvents(subject));
    assert.deepEqual(
      history.map((e) => e.event.type),
      [...types],
    );
    assert.ok(history.every((e) => e.subject === subject && e.event.task_id === taskId));
    const seqs = history.map((e) => e.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );

    const last = await publisher.lastEvent(subject);
    assert.equal(last?.event.type, "task.completed");
    assert.equal(last?.seq, seq);
    assert.deepEqual(last, history.at(-1));
  });

  it("given garbage published after a task's last event, then lastEvent still returns that event at the garbage's sequence", async () => {
    const subject = Subjects.task("t4");
    const ack = await publisher.append(subject, taskEvent("task.created", "t4", "t4-created"));
    const junk = await js.publish(subject, "not an event");
    const last = await publisher.lastEvent(subject);
    assert.equal(last?.event.type, "task.created");
    assert.equal(last?.event.id, "t4-created");
    assert.ok(junk.seq > ack.seq);
    assert.equal(last?.seq, junk.seq, "the next append must expect the subject's real last sequence");
  });

  it("given an empty subject, when read, then nothing comes back promptly", async () => {
    const started = Date.now();
    const history = await collect(new StreamReader(nc).readEvents(Subjects.task("never-written")));
    assert.deepEqual(history, []);
    assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
    assert.equal(await publisher.lastEvent(Subjects.task("never-written")), null);
  });
});
