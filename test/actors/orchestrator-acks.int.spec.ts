// The orchestrator acks a run of finished inputs with one ack (AckPolicy.All): the acks it sends,
// counted on the wire (every ack is a message on the consumer's $JS.ACK subject), are fewer than
// the inputs it was handed, and still every input ends up acked.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AckPolicy } from "@nats-io/jetstream";
import { STREAM_EVENTS, Subjects } from "../../src/core/events/index.ts";
import { eventually, ofType, startStack, type TestStack } from "../support/index.ts";

const CONSUMER = "orchestrator";
const JOBS = 10;

describe("given an orchestrator handling several jobs", () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack();
    stack.startWorker();
  });
  after(() => stack.stop());

  it("when they complete, then every input is acked by fewer ack messages than inputs", async (t) => {
    let acks = 0;
    const sub = stack.nc.subscribe(`$JS.ACK.${STREAM_EVENTS}.${CONSUMER}.>`, {
      callback: (_err, m) => {
        if (new TextDecoder().decode(m.data).startsWith("+ACK")) acks++;
      },
    });
    await stack.nc.flush();
    stack.startOrchestrator();
    const jobIds = await Promise.all(
      Array.from({ length: JOBS }, (_, i) => stack.submit({ spec: `Write line ${i} about acks.`, count: 1 })),
    );
    let lastCompleted = 0;
    for (const jobId of jobIds) {
      const events = await stack.waitFor(Subjects.job(jobId), (es) => ofType(es, "job.completed").length > 0);
      lastCompleted = Math.max(lastCompleted, ofType(events, "job.completed")[0]?.seq ?? 0);
    }
    const info = () => stack.jsm.consumers.info(STREAM_EVENTS, CONSUMER);
    await eventually(async () => (await info()).ack_floor.stream_seq >= lastCompleted, 30_000);
    const c = await info();
    sub.unsubscribe();
    const inputs = c.ack_floor.consumer_seq;
    t.diagnostic(`${acks} acks for ${inputs} inputs (ack floor ${c.ack_floor.stream_seq})`);
    assert.equal(c.config.ack_policy, AckPolicy.All);
    assert.ok(inputs >= JOBS * 10, `every job's inputs were handed over (${inputs})`);
    assert.ok(acks > 0, "acks were counted on the wire");
    assert.ok(acks < inputs, `${acks} acks for ${inputs} inputs`);
  });
});
