import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { STREAM_WORK, Subjects } from "../../src/core/events/index.ts";
import { alive, ofType, queuings, startStack, type TestStack } from "../support/index.ts";

describe("given one worker running one task at a time and a job of three slow iterations", () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack();
    stack.startOrchestrator();
    stack.startWorker({ AGENTS_WORKER_CONCURRENCY: "1" });
  });
  after(() => stack.stop());

  it("when the job is cancelled, then its agent is killed, its queued tasks never start, and all end cancelled", async (t) => {
    const jobId = await stack.submit({
      spec: "Write one line about endings.\nFIXTURE: sleep 20000",
      count: 3,
    });
    const before = await stack.waitFor(
      Subjects.tasks,
      (es) => {
        const mine = es.filter((e) => e.event.job_id === jobId);
        return ofType(mine, "task.started").length >= 1 && queuings(mine).length >= 3;
      },
      30_000,
    );
    // Give the worker time to (wrongly) take a second task, then check it did not.
    await sleep(1500);
    const runs = await stack.agentRuns();
    assert.equal(runs.length, 1, "one agent running: the worker's concurrency is 1");
    const agent = runs[0];
    assert.ok(agent && alive(agent.pid), "the agent is running");
    const startedBefore = ofType(before, "task.started").filter((e) => e.event.job_id === jobId);
    assert.equal(startedBefore.length, 1);

    const cancelledAt = Date.now();
    stack.nc.publish(Subjects.controlCancel, JSON.stringify({ job_id: jobId }));
    while (alive(agent.pid) && Date.now() - cancelledAt < 15_000) await sleep(50);
    t.diagnostic(`agent gone ${Date.now() - cancelledAt} ms after the cancel`);
    assert.ok(!alive(agent.pid), "the running agent was killed");

    await stack.waitFor(Subjects.job(jobId), (es) => ofType(es, "job.cancelled").length > 0, 15_000);
    await stack.waitFor(
      Subjects.tasks,
      (es) => {
        const mine = es.filter((e) => e.event.job_id === jobId);
        return ofType(mine, "task.cancelled").length >= 3;
      },
      15_000,
    );
    // The queued work items reach the worker and are dropped, not run: the work stream drains.
    const drainBy = Date.now() + 15_000;
    while ((await stack.jsm.streams.info(STREAM_WORK)).state.messages > 0 && Date.now() < drainBy) {
      await sleep(200);
    }
    assert.equal((await stack.jsm.streams.info(STREAM_WORK)).state.messages, 0, "work items were taken");
    const all = (await stack.events(Subjects.tasks)).filter((e) => e.event.job_id === jobId);
    const created = ofType(all, "task.created").map((e) => e.event.task_id);
    assert.equal(created.length, 3, "three generators and nothing after them");
    for (const id of created) {
      const last = all.filter((e) => e.event.task_id === id).at(-1);
      assert.equal(last?.event.type, "task.cancelled", `task ${id} ends cancelled`);
    }
    const started = ofType(all, "task.started").map((e) => e.event.task_id);
    assert.deepEqual(started, [startedBefore[0]?.event.task_id], "the queued tasks never started");
    assert.equal((await stack.agentRuns()).length, 1, "no other agent ran");

    const finalJob = await stack.events(Subjects.job(jobId));
    assert.equal(ofType(finalJob, "job.cancelled").length, 1);
    assert.equal(ofType(finalJob, "job.completed").length, 0, "a cancelled job does not complete");
  });
});
