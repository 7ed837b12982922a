// Control subjects carry commands anyone can publish: garbage on them must change nothing, and the
// stop / pause state a worker follows is the one the orchestrator recorded (a worker started during
// a stop or a pause honours it).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Subjects } from "../../src/core/events/index.ts";
import type { StoredEvent } from "../../src/core/ports/event-store.ts";
import { actorsUp } from "../support/actors-up.ts";
import { type ActorProcess, ofType, queuings, startStack, type TestStack } from "../support/index.ts";

/** Past the work ack wait (3 s) and the 1 s nak of an interrupted task: time for a wrong start to show. */
const QUIET_MS = 5000;
const GARBAGE = ["not json", '{"reason": 42}', "[1,2]", '{"reason":"x","extra":true}'];

/** Wait until the orchestrator recorded a rejection for each message published on `subject` after `afterSeq`. */
async function rejected(stack: TestStack, subject: string, count: number, afterSeq = 0): Promise<void> {
  await stack.waitFor(
    Subjects.rejected,
    (es) =>
      ofType(es, "message.rejected").filter(
        (e) => e.event.data.subject === subject && e.event.data.stream_seq > afterSeq,
      ).length >= count,
    30_000,
  );
}

function startsAfter(events: StoredEvent[], jobId: string, seq: number) {
  return ofType(events, "task.started").filter((e) => e.event.job_id === jobId && e.seq > seq);
}

async function lastSeq(stack: TestStack): Promise<number> {
  return (await stack.jsm.streams.info("AGENTS")).state.last_seq;
}

describe("given an orchestrator and a worker", () => {
  let stack: TestStack;
  let worker: ActorProcess;
  before(async () => {
    stack = await startStack();
    const orchestrator = stack.startOrchestrator();
    worker = stack.startWorker();
    await actorsUp(orchestrator, worker);
  });
  after(() => stack.stop());

  it("when garbage is published on agents.control.stop, then workers keep working, also one started afterwards", async () => {
    for (const g of GARBAGE) stack.nc.publish(Subjects.controlStop, g);
    await rejected(stack, Subjects.controlStop, GARBAGE.length);
    const first = await stack.submit({ spec: "Write one line about gravel.", count: 1 });
    await stack.waitFor(Subjects.job(first), (es) => ofType(es, "job.completed").length > 0, 30_000);

    // A worker that starts now reads the recorded state: garbage left nothing to honour.
    const fresh = stack.startWorker();
    await actorsUp(fresh);
    await worker.kill("SIGKILL");
    worker = fresh;
    const second = await stack.submit({ spec: "Write one line about sand.", count: 1 });
    await stack.waitFor(Subjects.job(second), (es) => ofType(es, "job.completed").length > 0, 40_000);
    const system = await stack.events(Subjects.system);
    assert.deepEqual(ofType(system, "system.stopped"), [], "garbage recorded no stop");
  });
});

describe("given a job whose agents run for 20 s the first time, and an emergency stop", () => {
  let stack: TestStack;
  let worker: ActorProcess;
  before(async () => {
    stack = await startStack();
    const orchestrator = stack.startOrchestrator();
    worker = stack.startWorker();
    await actorsUp(orchestrator, worker);
  });
  after(() => stack.stop());

  it("when garbage arrives on agents.control.resume, or a worker starts during the stop, then nothing starts until a real resume", async () => {
    const jobId = await stack.submit({
      spec: "Write one line about levers.\nFIXTURE: sleep-once 20000 resume-garbage",
      count: 2,
    });
    await stack.waitFor(
      Subjects.tasks,
      (es) => ofType(es, "task.started").filter((e) => e.event.job_id === jobId).length >= 2,
      30_000,
    );
    stack.nc.publish(Subjects.controlStop, JSON.stringify({ reason: "real emergency" }));
    await stack.waitFor(
      Subjects.tasks,
      (es) => ofType(es, "task.interrupted").filter((e) => e.event.job_id === jobId).length >= 2,
      30_000,
    );
    await stack.waitFor(Subjects.system, (es) => ofType(es, "system.stopped").length === 1, 30_000);

    const before = await lastSeq(stack);
    for (const g of GARBAGE) stack.nc.publish(Subjects.controlResume, g);
    await rejected(stack, Subjects.controlResume, GARBAGE.length, before);
    await sleep(QUIET_MS);
    assert.deepEqual(
      startsAfter(await stack.events(Subjects.tasks), jobId, before).map((e) => e.event.task_id),
      [],
      "garbage on resume started nothing",
    );

    // A worker started during the stop reads the recorded stop and takes nothing either.
    const restartedAt = await lastSeq(stack);
    await worker.kill("SIGKILL");
    worker = stack.startWorker();
    await actorsUp(worker);
    await sleep(QUIET_MS);
    assert.deepEqual(
      startsAfter(await stack.events(Subjects.tasks), jobId, restartedAt).map((e) => e.event.task_id),
      [],
      "a worker started during the stop took no work",
    );

    stack.nc.publish(Subjects.controlResume, JSON.stringify({ reason: "all clear" }));
    const jobEvents = await stack.waitFor(
      Subjects.job(jobId),
      (es) => ofType(es, "job.completed").length > 0,
      40_000,
    );
    assert.equal(ofType(jobEvents, "job.completed")[0]?.event.data.iterations_passed, 2);
  });
});

describe("given a paused standard queue", () => {
  let stack: TestStack;
  let worker: ActorProcess;
  before(async () => {
    stack = await startStack();
    const orchestrator = stack.startOrchestrator();
    worker = stack.startWorker();
    await actorsUp(orchestrator, worker);
  });
  after(() => stack.stop());

  it("when the worker restarts during the pause, then it takes no standard work until the queue is unpaused", async () => {
    stack.nc.publish(Subjects.controlPause, JSON.stringify({ queue: "standard", reason: "maintenance" }));
    await stack.waitFor(Subjects.system, (es) => ofType(es, "queue.paused").length === 1, 30_000);
    // Garbage on unpause is rejected and changes nothing.
    stack.nc.publish(Subjects.controlUnpause, '{"queue":"nowhere"}');
    await rejected(stack, Subjects.controlUnpause, 1);
    await worker.kill("SIGKILL");
    worker = stack.startWorker();
    await actorsUp(worker);

    const jobId = await stack.submit({ spec: "Write one line about pulleys.", count: 1 });
    await stack.waitFor(Subjects.tasks, (es) => queuings(es).some((e) => e.event.job_id === jobId), 30_000);
    await sleep(QUIET_MS);
    assert.deepEqual(
      startsAfter(await stack.events(Subjects.tasks), jobId, 0).map((e) => e.event.task_id),
      [],
      "nothing started on the paused queue",
    );

    stack.nc.publish(Subjects.controlUnpause, JSON.stringify({ queue: "standard" }));
    await stack.waitFor(Subjects.job(jobId), (es) => ofType(es, "job.completed").length > 0, 40_000);
  });
});

describe("given the orchestrator is down", () => {
  let stack: TestStack;
  let orchestrator: ActorProcess | undefined;
  before(async () => {
    stack = await startStack();
    orchestrator = stack.startOrchestrator();
    await actorsUp(orchestrator, stack.startWorker());
  });
  after(() => stack.stop());

  it("when a stop is published, then running agents stop at once and the stop is recorded once it is back", async () => {
    const jobId = await stack.submit({
      spec: "Write one line about anchors.\nFIXTURE: sleep-once 20000 down-stop",
      count: 1,
    });
    await stack.waitFor(
      Subjects.tasks,
      (es) => ofType(es, "task.started").some((e) => e.event.job_id === jobId),
      30_000,
    );
    await orchestrator?.kill("SIGKILL");
    stack.nc.publish(Subjects.controlStop, JSON.stringify({ reason: "while nobody leads" }));
    await stack.waitFor(
      Subjects.tasks,
      (es) => ofType(es, "task.interrupted").some((e) => e.event.job_id === jobId),
      30_000,
    );
    // A worker started now still honours a stop the orchestrator has not recorded yet.
    const restartedAt = await lastSeq(stack);
    await actorsUp(stack.startWorker());
    await sleep(QUIET_MS);
    assert.deepEqual(
      startsAfter(await stack.events(Subjects.tasks), jobId, restartedAt).map((e) => e.event.task_id),
      [],
      "no worker took the interrupted task while the stop was unrecorded",
    );
    orchestrator = stack.startOrchestrator();
    await stack.waitFor(Subjects.system, (es) => ofType(es, "system.stopped").length === 1, 40_000);
    stack.nc.publish(Subjects.controlResume, JSON.stringify({ reason: "back" }));
    await stack.waitFor(Subjects.job(jobId), (es) => ofType(es, "job.completed").length > 0, 40_000);
  });
});
