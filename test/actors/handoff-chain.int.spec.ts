import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Subjects } from "../../src/core/events/index.ts";
import { ofType, useStack } from "../support/index.ts";

describe("given an agent that hands off twice before finishing", () => {
  const stack = useStack({ workers: 1 });

  it("when the job runs, then two continuations in the heavy queue finish one passed iteration", async () => {
    const jobId = await stack().submit({ spec: "Write a long essay.\nFIXTURE: handoff-times 2", count: 1 });
    const jobEvents = await stack().waitFor(
      Subjects.job(jobId),
      (es) => ofType(es, "job.completed").length > 0,
      45_000,
    );
    const ended = ofType(jobEvents, "job.iteration_ended");
    assert.equal(ended.length, 1);
    assert.equal(ended[0]?.event.data.outcome, "passed");
    assert.equal(ofType(jobEvents, "job.completed")[0]?.event.data.iterations_passed, 1);

    const tasks = (await stack().events(Subjects.tasks)).filter((e) => e.event.job_id === jobId);
    const continuations = ofType(tasks, "task.created").filter(
      (e) => e.event.data.task_type === "continuation",
    );
    assert.deepEqual(
      continuations.map((e) => e.event.task_id),
      [`${jobId}-i1-k1`, `${jobId}-i1-k2`],
      "a chain of exactly two continuations",
    );
    for (const c of continuations) assert.equal(c.event.data.queue, "heavy", `${c.event.task_id} queue`);
    assert.equal(ofType(tasks, "task.handoff_requested").length, 2);
    // The passing version is the last continuation's output.
    assert.equal(ended[0]?.event.data.best_task_id, `${jobId}-i1-k2`);

    // Each continuation's prompt carries the output of the agent before it.
    const runs = await stack().agentRuns();
    const prompts = runs.map((r) => r.prompt).filter((p) => p.startsWith("ROLE: continuation"));
    assert.equal(prompts.length, 2);
    assert.ok(
      prompts.some((p) => /EARLIER OUTPUT:\nPartial work 1 for: ROLE: generator/.test(p)),
      "the first continuation got the generator's output",
    );
    assert.ok(
      prompts.some((p) => /EARLIER OUTPUT:\nPartial work 2 for: ROLE: continuation/.test(p)),
      "the second continuation got the first continuation's output",
    );
    for (const p of prompts) assert.match(p, /REMAINING WORK \(from the earlier agent\):\nfinish part \d of/);
  });
});
