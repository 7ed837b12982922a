import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { taskIdFor } from "../../../src/core/ids.ts";
import { findOutput } from "../../../src/core/ports/artifact-store.ts";
import { Artifacts } from "../../../src/nats/artifacts.ts";
import { ofType, useStack } from "../../support/index.ts";
import { jobDone, runsOf, taskEventsOf, uniqueSpec } from "./support.ts";

const FEEDBACK = "Your previous response failed validation";

describe("a generator whose first output fails validation", () => {
  const stack = useStack({ workers: 1 });

  it("records validation.failed, retries with the validator's feedback in the prompt, and then passes", async () => {
    const { spec } = uniqueSpec(
      "Return a JSON object describing a queue.",
      'output-sequence KEY this is not JSON, sorry || {"queue": "standard", "ok": true}',
    );
    const jobId = await stack().submit({ spec, count: 1, validation: [{ type: "json" }] });
    const jobEvents = await jobDone(stack(), jobId);
    const g = taskIdFor(jobId, 1, "generator", 0);
    const tasks = (await taskEventsOf(stack(), jobId)).filter((e) => e.event.task_id === g);

    const created = ofType(tasks, "task.created")[0]?.event.data;
    assert.deepEqual(created?.validation, [{ type: "json" }]);

    const failed = ofType(tasks, "validation.failed");
    assert.equal(failed.length, 1, tasks.map((e) => e.event.type).join(", "));
    const f = failed[0];
    assert.equal(f?.event.data.attempt, 1);
    assert.deepEqual(
      f?.event.data.failures.map((x) => x.type),
      ["json"],
    );
    assert.match(f?.event.data.feedback ?? "", new RegExp(FEEDBACK));
    const artifacts = await Artifacts.open(stack().nc);
    assert.ok(f);
    assert.equal(await findOutput(artifacts, f.event.data), "this is not JSON, sorry");

    const retry = ofType(tasks, "task.retry_scheduled");
    assert.equal(retry.length, 1);
    assert.equal(retry[0]?.event.data.attempt, 2);
    assert.equal(retry[0]?.event.data.feedback, f?.event.data.feedback);
    assert.ok((f?.seq ?? Infinity) < (retry[0]?.seq ?? 0), "validation.failed comes before the retry");

    // The second prompt carries the feedback; the first did not.
    const runs = await runsOf(stack(), "generator", spec);
    assert.equal(runs.length, 2);
    assert.ok(!runs[0]?.prompt.includes(FEEDBACK), "the first prompt has no feedback");
    const second = runs[1]?.prompt ?? "";
    assert.ok(
      second.includes(f?.event.data.feedback ?? "?"),
      `the second prompt holds the feedback:\n${second}`,
    );
    assert.ok(second.trimEnd().endsWith("Please correct these issues."), "the feedback is appended last");

    const completed = ofType(tasks, "task.completed");
    assert.equal(completed.length, 1);
    const done = completed[0];
    assert.ok(done);
    assert.equal(await findOutput(artifacts, done.event.data), '{"queue": "standard", "ok": true}');

    const ended = ofType(jobEvents, "job.iteration_ended")[0]?.event.data;
    assert.deepEqual([ended?.outcome, ended?.best_task_id], ["passed", g]);
    assert.equal(ofType(jobEvents, "job.completed")[0]?.event.data.iterations_passed, 1);
  });
});
