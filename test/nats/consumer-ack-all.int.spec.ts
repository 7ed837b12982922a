// The consumer loop on the orchestrator's consumer (AckPolicy.All, acked through an AckFloor): an
// input whose handler keeps failing is retried in process and holds the floor (nothing past it is
// acked) until its attempts run out; then it is recorded as rejected and the floor passes it, and
// the inputs after it were handled once each, never delivered again. A real nats-server.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import pino from "pino";
import { z } from "zod";
import { STREAM_EVENTS, Subjects } from "../../src/core/events/index.ts";
import {
  AckFloor,
  consumeLoop,
  ensureOrchestratorConsumer,
  provisionTopology,
  StreamReader,
} from "../../src/nats/index.ts";
import { eventually, type NatsServerHandle, startNatsServer } from "../support/index.ts";

const log = pino({ level: "silent" });
const CONSUMER = "held";
const INPUTS = 10;
const FAILING = 4; // the fourth input's handler always fails
const ATTEMPTS = 3;

describe("given the orchestrator's consumer and an input whose handler always fails", () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  before(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    await provisionTopology(nc);
  });
  after(async () => {
    await nc.close();
    await nats.stop();
  });

  it("when the inputs are consumed, then the floor waits below it until it is rejected, then passes it, and no input is delivered twice", async () => {
    const js = jetstream(nc);
    const seqs: number[] = [];
    for (let n = 1; n <= INPUTS; n++)
      seqs.push((await js.publish(Subjects.submit, JSON.stringify({ n }))).seq);
    const failingSeq = seqs[FAILING - 1] as number;
    assert.equal(await ensureOrchestratorConsumer(nc, CONSUMER), 0);
    const jsm = await jetstreamManager(nc);
    const floor = async () => (await jsm.consumers.info(STREAM_EVENTS, CONSUMER)).ack_floor.stream_seq;

    const handled = new Map<number, number>();
    const floorsWhileFailing: number[] = [];
    const abort = new AbortController();
    const loop = consumeLoop(nc, {
      stream: STREAM_EVENTS,
      consumer: CONSUMER,
      // The message.rejected event (no n) comes through too, and is handled as any other input.
      schema: z.object({ n: z.number().optional() }),
      log,
      signal: abort.signal,
      concurrency: 4,
      retryDelayMs: 200,
      maxAttempts: ATTEMPTS,
      ackAll: new AckFloor(),
      handler: async ({ n }, m) => {
        handled.set(m.seq, (handled.get(m.seq) ?? 0) + 1);
        if (n !== FAILING) return undefined;
        if ((handled.get(m.seq) ?? 0) > 1) {
          // Every other input is handled by now; the floor has come up to just below this one.
          await eventually(() => handled.size === INPUTS, 20_000);
          await eventually(async () => (await floor()) >= failingSeq - 1, 20_000);
          floorsWhileFailing.push(await floor());
        }
        throw new Error("this input always fails");
      },
    });
    try {
      const last = seqs[INPUTS - 1] as number;
      // The rejection is stored on the stream too (agents.rejected, after the last input).
      await eventually(async () => (await floor()) > last, 30_000);
    } finally {
      abort.abort();
      await loop;
    }
    assert.deepEqual(
      floorsWhileFailing,
      Array.from({ length: ATTEMPTS - 1 }, () => failingSeq - 1),
      "while the input was retried, nothing at or past it was acked",
    );
    assert.equal(handled.get(failingSeq), ATTEMPTS, "the failing input was tried its attempts");
    for (const seq of seqs)
      if (seq !== failingSeq) assert.equal(handled.get(seq), 1, `input ${seq} was handled once`);
    const info = await jsm.consumers.info(STREAM_EVENTS, CONSUMER);
    assert.equal(info.num_redelivered, 0, "nothing was delivered again");
    assert.equal(info.num_ack_pending, 0);
    const rejected: Array<{ stream_seq: number; reason: string }> = [];
    for await (const e of new StreamReader(nc).readEvents(Subjects.rejected))
      if (e.event.type === "message.rejected") rejected.push(e.event.data);
    assert.equal(rejected.length, 1, "the failing input was recorded as rejected");
    assert.equal(rejected[0]?.stream_seq, failingSeq);
    assert.match(rejected[0]?.reason ?? "", /failed 3 times; last: this input always fails/);
  });
});
