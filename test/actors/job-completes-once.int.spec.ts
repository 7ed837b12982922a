// A job completes once, also when a new tenure re-decides what the last one already decided. Found
// by `npm run chaos` (nats-restarts): the orchestrator lost its lease, folded the stream only to its
// consumer's ack floor, and consumed its own job.iteration_ended again. The critic's task.completed
// stored *before* that event was already folded, so the job looked done at the iteration_ended and
// was completed a second time, under another cause (so another event id), after the first
// job.completed the last tenure had stored on that input's heels.
//
// The test plays the worker and the critic (it appends their events) so the order is exact, and puts
// the ack floor where a server kill left it (the acks of the last tenure's own events lost): the
// orchestrator is a real subprocess on a real nats-server; nothing waits on time.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AckPolicy, DeliverPolicy } from "@nats-io/jetstream";
import { type AgentEvent, newEvent, STREAM_EVENTS, Subjects } from "../../src/core/events/index.ts";
import { JetStreamEventStore } from "../../src/nats/index.ts";
import { actorsUp } from "../support/actors-up.ts";
import {
  type ActorProcess,
  eventually,
  ofType,
  queuings,
  startStack,
  type TestStack,
} from "../support/index.ts";

const NS_PER_MS = 1_000_000;
const CONSUMER = "orchestrator";

describe("given a job whose critic's last two events were stored before the orchestrator read either", () => {
  let stack: TestStack;
  let events: JetStreamEventStore;
  let orchestrator: ActorProcess | undefined;
  before(async () => {
    stack = await startStack();
    events = new JetStreamEventStore(stack.nc);
  });
  after(async () => {
    await orchestrator?.kill("SIGKILL");
    await stack.stop();
  });

  const lead = async () => {
    orchestrator = stack.startOrchestrator();
    await actorsUp(orchestrator);
  };
  const stop = async () => {
    // SIGTERM: in-flight input is decided and acked, and the lease is handed over at once.
    await orchestrator?.kill("SIGTERM");
    orchestrator = undefined;
  };
  /** Append as the worker or critic would (a random id: theirs are not derived from a cause). */
  const append = async (subject: string, body: Parameters<typeof newEvent>) => {
    const [type, data, ctx] = body;
    const event: AgentEvent = newEvent(type, data, ctx);
    return (await events.append(subject, event)).seq;
  };
  const ctx = (jobId: string, taskId: string) => ({ job_id: jobId, task_id: taskId, now: Date.now() });
  const run = (model: string) => ({
    output_ref: "outputs/none",
    output_bytes: 4,
    duration_ms: 10,
    model,
    usage: { input_tokens: 1, output_tokens: 1 },
    cost_usd: 0,
    offline: false,
    excerpt: "text",
  });

  it("when a new tenure folds to an ack floor before its own iteration_ended, then the job completes once", async () => {
    await lead();
    const jobId = await stack.submit({ spec: "Write one line about tenures.", count: 1 });
    const generator = `${jobId}-i1-g`;
    const critic = `${jobId}-i1-c1`;
    await stack.waitFor(Subjects.task(generator), (es) => queuings(es).length > 0);
    const started = {
      attempt: 1,
      worker_id: "test-worker",
      executor: "claude",
      model: "sonnet",
      reclaimed: false,
    };
    await append(Subjects.task(generator), ["task.started", started, ctx(jobId, generator)]);
    await append(Subjects.task(generator), ["task.completed", run("sonnet"), ctx(jobId, generator)]);
    await stack.waitFor(Subjects.task(critic), (es) => queuings(es).length > 0);
    await append(Subjects.task(critic), ["task.started", started, ctx(jobId, critic)]);

    // The critic's critique and its own completion are both stored before the orchestrator reads
    // the critique: it ends the iteration then (the critic still live) and completes the job on the
    // critic's task.completed, which the stream holds *before* its iteration_ended.
    await stop();
    const critique = {
      critic_task_id: critic,
      target_task_id: generator,
      target_type: "generator",
      iteration: 1,
      compliance: 9,
      uniqueness: 9,
      quality: 9,
      critique: "Good.",
      model: "sonnet",
      passed: true,
    } as const;
    await append(Subjects.critique(critic), ["critique.recorded", critique, ctx(jobId, critic)]);
    const criticDone = await append(Subjects.task(critic), [
      "task.completed",
      run("sonnet"),
      ctx(jobId, critic),
    ]);
    await lead();
    const first = await stack.waitFor(Subjects.job(jobId), (es) => ofType(es, "job.completed").length > 0);
    const ended = ofType(first, "job.iteration_ended")[0];
    const completed = ofType(first, "job.completed")[0];
    assert.ok(ended && completed);
    assert.ok(
      criticDone < ended.seq,
      "the precondition: the critic's task.completed is stored before iteration_ended",
    );
    await stop();

    // A server kill loses the acks of the orchestrator's own last events: the next tenure folds
    // only to before iteration_ended and consumes it (and job.completed) again.
    await stack.jsm.consumers.delete(STREAM_EVENTS, CONSUMER);
    await stack.jsm.consumers.add(STREAM_EVENTS, {
      durable_name: CONSUMER,
      filter_subject: Subjects.all,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: 60 * 1000 * NS_PER_MS,
      max_ack_pending: 1000,
    });
    const consumer = await stack.js.consumers.get(STREAM_EVENTS, CONSUMER);
    for (let seq = 0; seq < ended.seq - 1; ) {
      const m = await consumer.next({ expires: 10_000 });
      assert.ok(m, "the consumer delivers what the stream holds");
      seq = m.seq;
      await m.ackAck();
    }
    const floor = await stack.jsm.consumers.info(STREAM_EVENTS, CONSUMER);
    assert.equal(floor.ack_floor.stream_seq, ended.seq - 1);
    assert.equal(floor.delivered.stream_seq, ended.seq - 1);
    await lead();
    // An input is acked once decided: a floor at job.completed means both were decided again.
    await eventually(
      async () =>
        (await stack.jsm.consumers.info(STREAM_EVENTS, CONSUMER)).ack_floor.stream_seq >= completed.seq,
      30_000,
    );
    const after = await stack.events(Subjects.job(jobId));
    const completions = ofType(after, "job.completed").map((e) => `${e.seq} (cause ${e.event.causation_id})`);
    assert.deepEqual(
      completions,
      [`${completed.seq} (cause ${completed.event.causation_id})`],
      "completed once",
    );
    assert.equal(ofType(after, "job.iteration_ended").length, 1, "the iteration ended once");
  });
});
