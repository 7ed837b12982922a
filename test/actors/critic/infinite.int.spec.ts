import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Subjects } from "../../../src/core/events/index.ts";
import { taskIdFor } from "../../../src/core/ids.ts";
import { ofType, startStack, type TestStack, wavesOf } from "../../support/index.ts";
import { jobDone, taskEventsOf, uniqueSpec } from "./support.ts";

type JobEvents = Awaited<ReturnType<typeof jobDone>>;

/** Iteration numbers of every planned wave, in order: unique and consecutive from 1. */
function assertConsecutiveIterations(events: JobEvents): number[] {
  const waves = wavesOf(events);
  const planned = waves.flatMap((w) => w.iterations);
  assert.ok(planned.length > 0, "at least one wave was planned");
  assert.deepEqual(
    planned,
    Array.from({ length: planned.length }, (_, i) => i + 1),
  );
  assert.deepEqual(
    waves.map((w) => w.wave),
    Array.from({ length: waves.length }, (_, i) => i + 1),
  );
  // Every planned iteration ended exactly once, and no other did.
  const ended = ofType(events, "job.iteration_ended").map((e) => e.event.data.iteration);
  assert.deepEqual(
    [...ended].sort((a, b) => a - b),
    planned,
  );
  return planned;
}

describe("infinite jobs", () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack();
    stack.startOrchestrator();
    stack.startWorker();
    stack.startWorker();
  });
  after(() => stack.stop());

  it("given a small budget, then the job stops at it: budget_exceeded, then completed with reason budget", async (t) => {
    const { spec } = uniqueSpec("Write one sentence about budgets.");
    // The fixture reports (3·input + 15·output tokens)/1e6 dollars per run, a token per 4 characters:
    // an iteration (generator and critic) costs about $0.0013, so this budget lasts two or three waves.
    const budget = 0.012;
    const jobId = await stack.submit({ spec, count: "infinite", budget_usd: budget, max_iterations: 40 });
    const events = await jobDone(stack, jobId, 50_000);

    const exceeded = ofType(events, "job.budget_exceeded");
    assert.equal(exceeded.length, 1);
    assert.equal(exceeded[0]?.event.data.budget_usd, budget);
    assert.ok(
      (exceeded[0]?.event.data.spent_usd ?? 0) >= budget,
      `spent ${exceeded[0]?.event.data.spent_usd}`,
    );
    const completed = ofType(events, "job.completed");
    assert.equal(completed.length, 1);
    assert.equal(completed[0]?.event.data.reason, "budget");
    assert.ok((exceeded[0]?.seq ?? Infinity) < (completed[0]?.seq ?? 0), "budget_exceeded comes first");
    assert.ok(
      (completed[0]?.event.data.cost_usd ?? 0) >= budget,
      `cost ${completed[0]?.event.data.cost_usd}`,
    );

    const planned = assertConsecutiveIterations(events);
    assert.ok(planned.length < 40, `stopped by the budget, not the max (${planned.length} iterations)`);
    t.diagnostic(
      `budget ${budget}: ${planned.length} iterations in ${wavesOf(events).length} waves, spent ${completed[0]?.event.data.cost_usd}`,
    );
    const tasks = await taskEventsOf(stack, jobId);
    const createdAfter = ofType(tasks, "task.created").filter((e) => e.seq > (exceeded[0]?.seq ?? 0));
    assert.deepEqual(
      createdAfter.map((e) => e.event.task_id),
      [],
      "no task is created once the budget is spent",
    );
    const wavesAfter = wavesOf(events).filter((w) => w.seq > (exceeded[0]?.seq ?? 0));
    assert.equal(wavesAfter.length, 0, "no wave is planned once the budget is spent");
  });

  it("given an emergency stop and resume, then the job waits while stopped and goes on after the resume (stop means pause)", async (t) => {
    const { spec } = uniqueSpec("Write one sentence about stopping.");
    const jobId = await stack.submit({ spec, count: "infinite", max_iterations: 1000 });
    // Let it run into its second wave, so the stop lands mid-job.
    await stack.waitFor(Subjects.job(jobId), (es) => wavesOf(es).length >= 2, 30_000);

    await stack.js.publish(Subjects.controlStop, JSON.stringify({ reason: "infinite test: emergency stop" }));
    await stack.waitFor(Subjects.system, (es) => ofType(es, "system.stopped").length > 0, 30_000);
    // Stopped past the end of the wave in flight (its agents are stopped and wait): nothing more is planned.
    await sleep(4000);
    await stack.js.publish(Subjects.controlResume, JSON.stringify({ reason: "infinite test: resume" }));
    const resumed = await stack.waitFor(
      Subjects.system,
      (es) => ofType(es, "system.resumed").length > 0,
      30_000,
    );
    const stoppedAt = ofType(resumed, "system.stopped")[0]?.seq ?? 0;
    const resumedAt = ofType(resumed, "system.resumed")[0]?.seq ?? 0;

    const atResume = (await stack.events(Subjects.job(jobId))).filter((e) => e.seq < resumedAt);
    const wavesWhileStopped = wavesOf(atResume).filter((w) => w.seq > stoppedAt);
    assert.deepEqual(wavesWhileStopped, [], "no wave is planned while stopped");
    const planned = Math.max(...wavesOf(atResume).map((w) => w.wave));
    // After the resume it plans on: two more waves than it had.
    const after = await stack.waitFor(Subjects.job(jobId), (es) => wavesOf(es).length >= planned + 2, 60_000);
    assert.deepEqual(ofType(after, "job.completed"), [], "a stop does not end an infinite job");
    const interrupted = ofType(await taskEventsOf(stack, jobId), "task.interrupted").length;
    t.diagnostic(`${planned} waves before the resume, ${interrupted} running tasks interrupted by the stop`);

    await stack.js.publish(Subjects.controlCancel, JSON.stringify({ job_id: jobId, reason: "end of test" }));
    await stack.waitFor(Subjects.job(jobId), (es) => ofType(es, "job.cancelled").length > 0, 30_000);
  });
});

describe("a forced near-duplicate", () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack();
    // No revisions, so the duplicate's iteration ends at once; one agent at a time, so iteration 1's
    // output exists before iteration 2's critic is created and is attached for comparison.
    stack.startOrchestrator({ AGENTS_MAX_REVISIONS: "0" });
    stack.startWorker({ AGENTS_WORKER_CONCURRENCY: "1" });
  });
  after(() => stack.stop());

  it("given the same long output every time and count 2, then the second critique is a near-duplicate and does not pass", async () => {
    const text =
      "Queues decouple producers from consumers, absorb bursts of work, and let retries with backoff " +
      "keep a flaky dependency from becoming an outage; this paragraph is always the same, word for word.";
    const { spec } = uniqueSpec("Write a paragraph about queues.", `output ${text}`);
    const jobId = await stack.submit({ spec, count: 2 });
    const events = await jobDone(stack, jobId);

    const critiques = ofType(events, "critique.recorded").map((e) => e.event.data);
    const byIteration = new Map(critiques.map((c) => [c.iteration, c]));
    const first = byIteration.get(1);
    const second = byIteration.get(2);
    assert.equal(critiques.length, 2);
    assert.deepEqual([first?.near_duplicate, first?.passed], [false, true]);
    assert.deepEqual([second?.near_duplicate, second?.passed, second?.uniqueness], [true, false, 1]);
    assert.match(
      second?.critique ?? "",
      /\[near-duplicate: 1\.00 similar to EARLIER OUTPUT FOR COMPARISON \(iteration 1\)\]/,
    );
    assert.equal(second?.target_task_id, taskIdFor(jobId, 2, "generator", 0));

    const ended = ofType(events, "job.iteration_ended").map((e) => [
      e.event.data.iteration,
      e.event.data.outcome,
    ]);
    assert.deepEqual(
      ended.sort((a, b) => Number(a[0]) - Number(b[0])),
      [
        [1, "passed"],
        [2, "exhausted"],
      ],
    );
  });
});
