import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Subjects } from "../../src/core/events/index.ts";
import { ofType, startStack, type TestStack } from "../support/index.ts";

describe("given a job of three iterations whose second always fails", () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack();
    // A larger base delay than the stack's default, so the backoff is clearly visible.
    stack.startOrchestrator({ AGENTS_RETRY_BASE_MS: "1000", AGENTS_MAX_ATTEMPTS: "3" });
    stack.startWorker();
  });
  after(() => stack.stop());

  it("when it runs, then iteration 2 is retried with growing delays, dead-lettered, and the job completes", async () => {
    const spec = "Write one line about retries.\nFIXTURE: fail-if ITERATION: 2 of 3";
    const jobId = await stack.submit({ spec, count: 3 });
    const jobEvents = await stack.waitFor(
      Subjects.job(jobId),
      (es) => ofType(es, "job.completed").length > 0,
      50_000,
    );
    const completed = ofType(jobEvents, "job.completed")[0]?.event.data;
    assert.equal(completed?.iterations_failed, 1);
    assert.equal(completed?.iterations_passed, 2);
    const ended = ofType(jobEvents, "job.iteration_ended").map((e) => [
      e.event.data.iteration,
      e.event.data.outcome,
    ]);
    assert.deepEqual(
      ended.sort((a, b) => Number(a[0]) - Number(b[0])),
      [
        [1, "passed"],
        [2, "failed"],
        [3, "passed"],
      ],
    );

    const failing = `${jobId}-i2-g`;
    const history = await stack.events(Subjects.task(failing));
    const starts = ofType(history, "task.started");
    const failures = ofType(history, "task.failed");
    const retries = ofType(history, "task.retry_scheduled");
    assert.deepEqual(
      starts.map((s) => s.event.data.attempt),
      [1, 2, 3],
      "three attempts",
    );
    assert.equal(failures.length, 3);
    assert.deepEqual(
      retries.map((r) => r.event.data.attempt),
      [2, 3],
    );
    const [d1, d2] = retries.map((r) => r.event.data.delay_ms);
    assert.ok(d1 !== undefined && d2 !== undefined && d1 > 0 && d2 > d1, `delays grow: ${d1} then ${d2}`);
    // Each attempt started no earlier than its not_before, so starts are spaced at least by the delays.
    const at = (iso: string) => Date.parse(iso);
    for (const [i, r] of retries.entries()) {
      const next = starts[i + 1];
      const prev = starts[i];
      assert.ok(next && prev);
      assert.ok(
        at(next.event.occurred_at) >= at(r.event.data.not_before),
        `attempt ${i + 2} started at ${next.event.occurred_at}, not before ${r.event.data.not_before}`,
      );
      assert.ok(
        at(next.event.occurred_at) - at(prev.event.occurred_at) >= r.event.data.delay_ms,
        `attempts ${i + 1} and ${i + 2} are at least ${r.event.data.delay_ms} ms apart`,
      );
    }
    const dead = ofType(history, "task.dead_lettered");
    assert.equal(dead.length, 1);
    assert.equal(dead[0]?.event.data.attempts, 3);
    assert.match(dead[0]?.event.data.last_error ?? "", /fail-if/);
    assert.equal(history.at(-1)?.event.type, "task.dead_lettered", "nothing happens after the dead letter");

    // The other iterations were never touched by the failure and nothing else dead-lettered.
    const all = (await stack.events(Subjects.tasks)).filter((e) => e.event.job_id === jobId);
    assert.deepEqual(
      ofType(all, "task.dead_lettered").map((e) => e.event.task_id),
      [failing],
    );
    assert.equal(ofType(all, "task.failed").filter((e) => e.event.task_id !== failing).length, 0);
  });
});
