import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { STREAM_EVENTS, Subjects } from "../../src/core/events/index.ts";
import { alive, ofType, startStack, type TestStack } from "../support/index.ts";

const KILL_GRACE_MS = 1000;
/** Room on a busy 2-core machine for the stop to travel and the kill to be reaped. */
const SLACK_MS = 4000;

describe("given agents that ignore SIGTERM and run for 20 s on their first run", () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack({ AGENTS_KILL_GRACE_MS: String(KILL_GRACE_MS) });
    stack.startOrchestrator();
    stack.startWorker();
    stack.startWorker();
  });
  after(() => stack.stop());

  it("when stop is published, then agents die within the grace period, and resume finishes every task once", async (t) => {
    const spec = "Write one line about brakes.\nFIXTURE: ignore-sigterm\nFIXTURE: sleep-once 20000 stop-test";
    const jobId = await stack.submit({ spec, count: 3 });
    const generators = async () =>
      (await stack.agentRuns()).filter((r) => r.prompt.startsWith("ROLE: generator"));
    await stack.waitFor(
      Subjects.tasks,
      (es) => ofType(es, "task.started").filter((e) => e.event.job_id === jobId).length >= 3,
      30_000,
    );
    const deadline = Date.now() + 10_000;
    while ((await generators()).length < 3 && Date.now() < deadline) await sleep(100);
    const running = await generators();
    assert.equal(running.length, 3, "three agents running");
    assert.ok(
      running.every((r) => alive(r.pid)),
      "the agents are alive before the stop",
    );

    // What `nats pub agents.control.stop '{"reason":"…"}'` does: a core NATS publish.
    const stoppedAt = Date.now();
    stack.nc.publish(Subjects.controlStop, JSON.stringify({ reason: "emergency stop test" }));
    while (running.some((r) => alive(r.pid)) && Date.now() - stoppedAt < 15_000) await sleep(50);
    const tookMs = Date.now() - stoppedAt;
    t.diagnostic(`agents gone ${tookMs} ms after the stop`);
    assert.ok(
      running.every((r) => !alive(r.pid)),
      `agents still alive ${tookMs} ms after the stop`,
    );
    assert.ok(
      tookMs <= KILL_GRACE_MS + SLACK_MS,
      `agents gone after ${tookMs} ms (grace ${KILL_GRACE_MS} ms)`,
    );

    const interrupted = await stack.waitFor(
      Subjects.tasks,
      (es) => ofType(es, "task.interrupted").filter((e) => e.event.job_id === jobId).length >= 3,
      15_000,
    );
    for (const e of ofType(interrupted, "task.interrupted")) assert.match(e.event.data.reason, /stop/);
    await stack.waitFor(Subjects.system, (es) => ofType(es, "system.stopped").length === 1, 30_000);

    // Stay stopped past the work ack wait (3 s) and the nak delay: nothing starts.
    await sleep(5000);
    const stop = await stack.jsm.streams.getMessage(STREAM_EVENTS, { last_by_subj: Subjects.controlStop });
    assert.ok(stop);
    const whileStopped = (await stack.events(Subjects.tasks)).filter(
      (e) => e.seq > stop.seq && e.event.type === "task.started",
    );
    assert.deepEqual(
      whileStopped.map((e) => e.event.task_id),
      [],
      "no task started while stopped",
    );
    assert.equal((await stack.agentRuns()).length, 3, "no agent was run while stopped");

    stack.nc.publish(Subjects.controlResume, JSON.stringify({ reason: "resume test" }));
    const jobEvents = await stack.waitFor(
      Subjects.job(jobId),
      (es) => ofType(es, "job.completed").length > 0,
      40_000,
    );
    assert.equal(ofType(jobEvents, "job.completed")[0]?.event.data.iterations_passed, 3);
    assert.deepEqual(
      ofType(jobEvents, "job.iteration_ended")
        .map((e) => e.event.data.iteration)
        .sort(),
      [1, 2, 3],
      "every iteration ended",
    );
    const all = (await stack.events(Subjects.tasks)).filter((e) => e.event.job_id === jobId);
    const completions = ofType(all, "task.completed").map((e) => e.event.task_id);
    assert.equal(new Set(completions).size, completions.length, "no task completed twice");
    const created = ofType(all, "task.created").map((e) => e.event.task_id);
    assert.deepEqual([...completions].sort(), [...created].sort(), "no task lost");
  });
});
