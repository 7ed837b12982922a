import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { taskIdFor } from "../../../src/core/ids.ts";
import { ofType, useStack } from "../../support/index.ts";
import { jobDone, runsOf, taskEventsOf, uniqueSpec } from "./support.ts";

describe("critic output that does not parse, and critiques full of colons", () => {
  const stack = useStack({ workers: 1 });

  it("given an unparseable first critique, then critique.unparseable is recorded, the critic task fails and is retried, and the second critique parses", async () => {
    const { spec } = uniqueSpec("Write one line about parsers.", "critic-garbage-times 1 KEY");
    const jobId = await stack().submit({ spec, count: 1 });
    const jobEvents = await jobDone(stack(), jobId);
    const c1 = taskIdFor(jobId, 1, "critic", 1);
    const g = taskIdFor(jobId, 1, "generator", 0);

    const unparseable = ofType(jobEvents, "critique.unparseable");
    assert.equal(unparseable.length, 1, "one unparseable critique");
    const u = unparseable[0]?.event.data;
    assert.deepEqual([u?.critic_task_id, u?.target_task_id, u?.iteration], [c1, g, 1]);
    assert.match(u?.reason ?? "", /expected "compliance: N"/);
    assert.match(u?.excerpt ?? "", /the output is fine overall/);

    const tasks = (await taskEventsOf(stack(), jobId)).filter((e) => e.event.task_id === c1);
    const types = tasks.map((e) => e.event.type);
    const failed = ofType(tasks, "task.failed");
    assert.equal(failed.length, 1, types.join(", "));
    assert.equal(failed[0]?.event.data.reason, "critique_unparseable");
    assert.match(failed[0]?.event.data.error ?? "", /critique unparseable/);
    const retry = ofType(tasks, "task.retry_scheduled");
    assert.equal(retry[0]?.event.data.attempt, 2);
    assert.ok(
      (unparseable[0]?.seq ?? Infinity) < (retry[0]?.seq ?? 0),
      "the unparseable critique is recorded before the retry",
    );
    const started = ofType(tasks, "task.started").map((e) => e.event.data.attempt);
    assert.deepEqual(started, [1, 2]);
    assert.equal(ofType(tasks, "task.completed").length, 1);

    const recorded = ofType(jobEvents, "critique.recorded");
    assert.equal(recorded.length, 1);
    const r = recorded[0]?.event.data;
    assert.deepEqual(
      [r?.critic_task_id, r?.target_task_id, r?.compliance, r?.quality, r?.passed],
      [c1, g, 9, 9, true],
    );
    assert.equal((await runsOf(stack(), "critic", spec)).length, 2, "the critic ran twice");

    const ended = ofType(jobEvents, "job.iteration_ended")[0]?.event.data;
    assert.deepEqual([ended?.outcome, ended?.best_task_id], ["passed", g]);
  });

  it("given critique text full of colons, then it is recorded intact", async () => {
    const { spec } = uniqueSpec("Write one line about clocks.", "critic-colons");
    const jobId = await stack().submit({ spec, count: 1 });
    const jobEvents = await jobDone(stack(), jobId);
    assert.equal(ofType(jobEvents, "critique.unparseable").length, 0);
    const recorded = ofType(jobEvents, "critique.recorded").map((e) => e.event.data);
    assert.deepEqual(
      recorded.map((c) => [c.compliance, c.uniqueness, c.quality, c.critique, c.passed]),
      [[9, 8, 9, "Good: clear. Watch: the ratio 2:1 and the time 10:30 are stated twice.", true]],
    );
  });
});
