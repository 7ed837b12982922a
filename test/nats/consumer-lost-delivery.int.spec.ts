// The consumer loop on the orchestrator's consumer (AckPolicy.All) when a delivery never reaches it:
// here another client's pull takes one, as a pull lost with a killed cluster node or a dropped
// connection would. An ack past the missing input would ack it too (AckPolicy.All), so the loop
// takes nothing past it in and ends (the orchestrator's tenure ends; the next one recreates the
// consumer at its floor). The floor stays below the missing input. A real nats-server.
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
  PULL_EXPIRES_MS,
  provisionTopology,
} from "../../src/nats/index.ts";
import { eventually, type NatsServerHandle, startNatsServer } from "../support/index.ts";

const log = pino({ level: process.env.LOG_LEVEL ?? "silent" });
const CONSUMER = "lossy";

describe("given the orchestrator's consumer and a delivery taken by another client", () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  let rogue: NatsConnection;
  before(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    rogue = await connect({ servers: nats.url });
    await provisionTopology(nc);
  });
  after(async () => {
    await rogue.close();
    await nc.close();
    await nats.stop();
  });

  it("when the next input reaches the loop, then it ends naming the missing delivery and the floor stays below the taken input", async () => {
    const js = jetstream(nc);
    const publish = async (n: number) => (await js.publish(Subjects.submit, JSON.stringify({ n }))).seq;
    const first = [await publish(1), await publish(2)];
    await ensureOrchestratorConsumer(nc, CONSUMER);
    const jsm = await jetstreamManager(nc);
    const handled: number[] = [];
    const abort = new AbortController();
    const loop = consumeLoop(nc, {
      stream: STREAM_EVENTS,
      consumer: CONSUMER,
      schema: z.object({ n: z.number() }),
      log,
      signal: abort.signal,
      concurrency: 4,
      prefetch: 64,
      ackAll: new AckFloor(),
      handler: async (_, m) => {
        handled.push(m.seq);
        return undefined;
      },
    });
    const ended = loop.then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    try {
      await eventually(
        async () =>
          (await jsm.consumers.info(STREAM_EVENTS, CONSUMER)).ack_floor.stream_seq >= (first[1] as number),
        10_000,
      );
      // The loop's pull is the oldest waiting; once it expires, nats.js pulls again behind this one.
      const taking = (await jetstream(rogue).consumers.get(STREAM_EVENTS, CONSUMER)).next({
        expires: PULL_EXPIRES_MS * 4,
      });
      await new Promise((r) => setTimeout(r, PULL_EXPIRES_MS + 1_000));
      const taken = await publish(3);
      const stolen = await taking;
      assert.equal(stolen?.seq, taken, "the other client took the third input");
      const next = await publish(4);
      const err = await Promise.race([
        ended,
        new Promise<"running">((r) => setTimeout(() => r("running"), 15_000)),
      ]);
      assert.ok(err instanceof Error, `the loop ended (got ${String(err)})`);
      assert.match(err.message, /consumer lossy failed \(delivery 3 never arrived \(delivery 4 did\)\)/);
      assert.deepEqual(handled, first, "nothing past the missing delivery was handled");
      const info = await jsm.consumers.info(STREAM_EVENTS, CONSUMER);
      assert.ok(
        info.ack_floor.stream_seq < taken,
        `the floor (${info.ack_floor.stream_seq}) stayed below the taken input (${taken})`,
      );
      assert.ok(next > taken);
    } finally {
      abort.abort();
      await ended;
    }
  });
});
