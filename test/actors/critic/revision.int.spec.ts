import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { taskIdFor } from "../../../src/core/ids.ts";
import { ofType, useStack } from "../../support/index.ts";
import { jobDone, runsOf, taskEventsOf, uniqueSpec } from "./support.ts";

describe("a generator whose first critique scores low", () => {
  const stack = useStack({ workers: 1 });

  it("is revised in the heavy queue with the critique, re-critiqued, and passes; quality history holds both critiques", async () => {
    const { spec } = uniqueSpec("Write one line about revisions.", "critic-scores 5,9 KEY");
    const jobId = await stack().submit({ spec, count: 1 });
    const jobEvents = await jobDone(stack(), jobId);
    const g = taskIdFor(jobId, 1, "generator", 0);
    const r1 = taskIdFor(jobId, 1, "reviser", 1);

    // Quality history: both critiques, in order, the first judging the generator, the second the reviser.
    const critiques = ofType(jobEvents, "critique.recorded").map((e) => e.event.data);
    assert.deepEqual(
      critiques.map((c) => [c.target_task_id, c.target_type, c.compliance, c.quality, c.passed]),
      [
        [g, "generator", 5, 5, false],
        [r1, "reviser", 9, 9, true],
      ],
    );
    const firstCritique = critiques[0]?.critique ?? "";
    assert.match(firstCritique, /run 1: score 5\. Needs: sharper structure; note: ratio 3:1 holds\./);

    // The reviser: heavy queue, round 1, its prompt carries the critique and the output to revise.
    const tasks = await taskEventsOf(stack(), jobId);
    const created = ofType(tasks, "task.created").find((e) => e.event.task_id === r1);
    assert.ok(created, "a reviser task was created");
    assert.deepEqual(
      [created.event.data.task_type, created.event.data.queue, created.event.data.round],
      ["reviser", "heavy", 1],
    );
    // Created queued (catalogue v2): on the heavy queue.
    assert.equal(created.event.data.queued?.queue, "heavy");

    const reviserRuns = await runsOf(stack(), "reviser", spec);
    assert.equal(reviserRuns.length, 1, "one reviser run");
    const prompt = reviserRuns[0]?.prompt ?? "";
    assert.ok(prompt.includes(firstCritique), `the reviser prompt holds the critique:\n${prompt}`);
    assert.match(prompt, /REVISION ROUND: 1/);
    assert.match(prompt, /OUTPUT TO REVISE:\nFixture answer for: ROLE: generator/);

    // Two critic runs, and the iteration passed with the revision.
    const criticRuns = await runsOf(stack(), "critic", spec);
    assert.equal(criticRuns.length, 2);
    const ended = ofType(jobEvents, "job.iteration_ended");
    assert.deepEqual(
      ended.map((e) => [e.event.data.iteration, e.event.data.outcome, e.event.data.best_task_id]),
      [[1, "passed", r1]],
    );
    const completed = ofType(jobEvents, "job.completed")[0]?.event.data;
    assert.deepEqual([completed?.iterations_passed, completed?.reason], [1, "all_done"]);
  });
});
