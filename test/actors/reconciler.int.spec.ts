// Stuck work is found and repaired: a dispatch that failed, a work item that vanished, and decisions
// that were never made (a failed task with no retry, a job whose tasks all ended but which did not
// complete). Each repair is an event or an idempotent re-dispatch, counted in a metric.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AckPolicy, DeliverPolicy } from "@nats-io/jetstream";
import { STREAM_EVENTS, STREAM_WORK, Subjects } from "../../src/core/events/index.ts";
import {
  type ActorProcess,
  eventually,
  freePort,
  ofType,
  queuings,
  startStack,
  type TestStack,
} from "../support/index.ts";

/** Reconcile every second; repair what has not moved for 2 s. */
const FAST_RECONCILE = { AGENTS_RECONCILE_EVERY_MS: "1000", AGENTS_RECONCILE_AFTER_MS: "2000" };

async function workMessages(stack: TestStack): Promise<number> {
  return (await stack.jsm.streams.info(STREAM_WORK)).state.messages;
}

/**
 * What a lost decision leaves behind: the orchestrator's consumer acknowledged everything stored so
 * far, as if each message had been decided, so a new orchestrator folds it all and decides nothing.
 */
async function acknowledgeEverything(stack: TestStack): Promise<void> {
  await stack.jsm.consumers.delete(STREAM_EVENTS, "orchestrator").catch(() => false);
  await stack.jsm.consumers.add(STREAM_EVENTS, {
    durable_name: "orchestrator",
    filter_subject: Subjects.all,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: 60_000_000_000,
    max_ack_pending: 10_000,
  });
  const consumer = await stack.js.consumers.get(STREAM_EVENTS, "orchestrator");
  const last = (await stack.jsm.streams.info(STREAM_EVENTS)).state.last_seq;
  for (;;) {
    const info = await stack.jsm.consumers.info(STREAM_EVENTS, "orchestrator");
    if (info.ack_floor.stream_seq >= last) return;
    const batch = await consumer.fetch({ max_messages: 500, expires: 1000 });
    for await (const m of batch) await m.ackAck();
  }
}

async function metric(port: number, name: string): Promise<string[]> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then(
    (r) => r.text(),
    () => "",
  );
  return text.split("\n").filter((l) => l.startsWith(name));
}

describe("given the work stream refuses work items for a while", () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack(FAST_RECONCILE);
  });
  after(() => stack.stop());

  it("when the dispatch after a task is queued fails and the orchestrator restarts, then the task is dispatched once the stream takes work again", async () => {
    let orchestrator: ActorProcess = stack.startOrchestrator();
    // Every process provisions the topology at start: change the stream only once it has.
    await eventually(() => orchestrator.logs().includes("leading"), 120_000);
    const info = await stack.jsm.streams.info(STREAM_WORK);
    // A work item is a few hundred bytes: refused while the limit is 16.
    await stack.jsm.streams.update(STREAM_WORK, { ...info.config, max_msg_size: 16 });
    const jobId = await stack.submit({ spec: "Write one line about pipes.", count: 1 });
    await stack.waitFor(Subjects.tasks, (es) => queuings(es).some((e) => e.event.job_id === jobId));
    await eventually(() => orchestrator.logs().includes("message size exceeds maximum"), 20_000);
    // Dies only once everything before the task's task.created is acknowledged: a v2 task.created
    // queued the task, and the decision on it dispatches, so it is the input that failed and is
    // decided again on its redelivery (a restart must not take the failed dispatch as done).
    const created = ofType(await stack.events(Subjects.tasks), "task.created").find(
      (e) => e.event.job_id === jobId,
    );
    assert.ok(created?.event.type === "task.created" && created.event.data.queued, "created queued (v2)");
    await eventually(async () => {
      const c = await stack.jsm.consumers.info(STREAM_EVENTS, "orchestrator");
      return c.ack_floor.stream_seq >= created.seq - 1;
    }, 30_000);
    await orchestrator.kill("SIGKILL");
    orchestrator = stack.startOrchestrator();
    const restarted = orchestrator;
    await eventually(() => restarted.logs().includes("leading"), 120_000);
    await stack.jsm.streams.update(STREAM_WORK, { ...info.config, max_msg_size: 64 * 1024 });
    stack.startWorker();
    await stack.waitFor(Subjects.job(jobId), (es) => ofType(es, "job.completed").length > 0, 60_000);
  });
});

describe("given a queued task whose work item vanished", () => {
  let stack: TestStack;
  let port: number;
  before(async () => {
    stack = await startStack(FAST_RECONCILE);
    port = await freePort();
    stack.startOrchestrator({ AGENTS_METRICS_PORT: String(port) });
  });
  after(() => stack.stop());

  it("when the reconciler runs, then it dispatches the task again and counts the repair", async () => {
    const jobId = await stack.submit({ spec: "Write one line about vanishing ink.", count: 1 });
    await stack.waitFor(Subjects.tasks, (es) => queuings(es).some((e) => e.event.job_id === jobId));
    await eventually(async () => (await workMessages(stack)) === 1, 20_000);
    await stack.jsm.streams.purge(STREAM_WORK);
    assert.equal(await workMessages(stack), 0);
    await eventually(async () => (await workMessages(stack)) === 1, 30_000);
    stack.startWorker();
    await stack.waitFor(Subjects.job(jobId), (es) => ofType(es, "job.completed").length > 0, 40_000);
    const lines = await metric(port, "agents_reconciler_repairs_total");
    assert.ok(
      lines.some((l) => /repair="redispatch"/.test(l) && !/ 0$/.test(l)),
      `a redispatch counted:\n${lines.join("\n")}`,
    );
  });
});

describe("given a failed task whose retry was never decided", () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack(FAST_RECONCILE);
    stack.startWorker();
  });
  after(() => stack.stop());

  it("when the reconciler runs, then it schedules the retry and the job completes", async () => {
    const orchestrator = stack.startOrchestrator();
    const jobId = await stack.submit({
      spec: "Write one line about gears.\nFIXTURE: sleep-once 3000 lost-retry\nFIXTURE: fail-times 1 lost-retry-fail",
      count: 1,
    });
    await stack.waitFor(Subjects.tasks, (es) =>
      ofType(es, "task.started").some((e) => e.event.job_id === jobId),
    );
    await orchestrator.kill("SIGKILL");
    const failed = await stack.waitFor(Subjects.tasks, (es) =>
      ofType(es, "task.failed").some((e) => e.event.job_id === jobId),
    );
    assert.equal(ofType(failed, "task.retry_scheduled").filter((e) => e.event.job_id === jobId).length, 0);
    await acknowledgeEverything(stack);
    stack.startOrchestrator();
    const events = await stack.waitFor(
      Subjects.job(jobId),
      (es) => ofType(es, "job.completed").length > 0,
      40_000,
    );
    assert.equal(ofType(events, "job.completed")[0]?.event.data.iterations_passed, 1);
    const tasks = (await stack.events(Subjects.tasks)).filter((e) => e.event.job_id === jobId);
    assert.equal(ofType(tasks, "task.retry_scheduled").length, 1, "one retry, made by the reconciler");
  });
});

describe("given a job whose critique was never decided", () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack(FAST_RECONCILE);
    stack.startWorker();
  });
  after(() => stack.stop());

  it("when every task ended but the job was left open, then the reconciler decides the critique and completes the job", async () => {
    const orchestrator = stack.startOrchestrator();
    const jobId = await stack.submit({ spec: "Write one line about looms.\nFIXTURE: sleep 2500", count: 1 });
    // The critic is created by the orchestrator; it dies before deciding on the critique.
    await stack.waitFor(Subjects.tasks, (es) =>
      ofType(es, "task.started").some((e) => e.event.job_id === jobId && e.event.task_id?.endsWith("-c1")),
    );
    await orchestrator.kill("SIGKILL");
    await stack.waitFor(Subjects.tasks, (es) =>
      ofType(es, "task.completed").some((e) => e.event.task_id?.endsWith("-c1") && e.event.job_id === jobId),
    );
    await acknowledgeEverything(stack);
    stack.startOrchestrator();
    const events = await stack.waitFor(
      Subjects.job(jobId),
      (es) => ofType(es, "job.completed").length > 0,
      40_000,
    );
    assert.equal(ofType(events, "job.completed")[0]?.event.data.iterations_passed, 1);
    assert.deepEqual(
      ofType(events, "job.iteration_ended").map((e) => e.event.data.outcome),
      ["passed"],
      "the critique's verdict decided the iteration",
    );
  });
});
