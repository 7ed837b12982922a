// The critic's verdict: a parsed critique recorded (a near-duplicate scored down), or an
// unparseable one recorded and the critic task failed so it is retried.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { comparedAttachments, critiqueVerdict, nearDuplicateOf } from "../../../src/core/critic/index.ts";
import { evolveTask } from "../../../src/core/lifecycle/index.ts";
import { compareLabel, parseCritique } from "../../../src/core/protocol/index.ts";
import type { RunFields } from "../../../src/core/worker/outcome.ts";
import { exampleEvent } from "../events/examples.ts";

const critic = evolveTask(
  null,
  exampleEvent(
    "task.created",
    { task_type: "critic", iteration: 2, target_task_id: "job-1-i2-g" },
    { task_id: "job-1-i2-c1" },
  ),
  1,
);
const fields: RunFields = {
  output_ref: "outputs/job-1-i2-c1/1",
  output_bytes: 80,
  duration_ms: 500,
  model: "haiku",
  usage: { input_tokens: 5, output_tokens: 9 },
  cost_usd: 0.001,
  offline: false,
  excerpt: "",
};
const good = "compliance: 9\nuniqueness: 8\nquality: 9\nCritique: clear: fine.";

describe("the critic's verdict", () => {
  it("given a passing critique, then critique.recorded passes and the critic task completes", () => {
    const v = critiqueVerdict({
      task: critic,
      attempt: 1,
      output: good,
      parsed: parseCritique(good),
      fields,
      duplicate: undefined,
    });
    assert.equal(v.job.type, "critique.recorded");
    assert.ok(v.job.type === "critique.recorded" && v.job.data.passed);
    assert.equal(v.job.data.target_task_id, "job-1-i2-g");
    assert.ok(v.job.type === "critique.recorded" && v.job.data.target_type === "generator");
    assert.deepEqual(v.outcome, { type: "task.completed", data: fields });
  });

  it("given a passing critique of a near-duplicate, then uniqueness is 1 and it does not pass", () => {
    const duplicate = { label: compareLabel(1), similarity: 0.93 };
    const v = critiqueVerdict({
      task: critic,
      attempt: 1,
      output: good,
      parsed: parseCritique(good),
      fields,
      duplicate,
    });
    assert.ok(v.job.type === "critique.recorded");
    if (v.job.type !== "critique.recorded") return;
    assert.equal(v.job.data.uniqueness, 1);
    assert.equal(v.job.data.passed, false);
    assert.equal(v.job.data.near_duplicate, true);
    assert.match(
      v.job.data.critique,
      /near-duplicate: 0\.93 similar to EARLIER OUTPUT FOR COMPARISON \(iteration 1\)/,
    );
  });

  it("given an unparseable answer, then critique.unparseable is recorded and the critic task fails with critique_unparseable", () => {
    const output = "Looks fine to me.";
    const v = critiqueVerdict({
      task: critic,
      attempt: 3,
      output,
      parsed: parseCritique(output),
      fields,
      duplicate: undefined,
    });
    assert.equal(v.job.type, "critique.unparseable");
    assert.equal(v.outcome.type, "task.failed");
    assert.ok(v.outcome.type === "task.failed" && v.outcome.data.reason === "critique_unparseable");
    assert.ok(v.outcome.type === "task.failed" && v.outcome.data.attempt === 3);
  });

  it("given a critic task's attachments, then the reviewed output and the comparisons are told apart by label", () => {
    const { reviewed, earlier } = comparedAttachments([
      { label: "OUTPUT", ref: "o" },
      { label: compareLabel(1), ref: "e1" },
      { label: compareLabel(3), ref: "e3" },
    ]);
    assert.equal(reviewed?.ref, "o");
    assert.deepEqual(
      earlier.map((a) => a.ref),
      ["e1", "e3"],
    );
  });

  it("given texts below and above the threshold, then only the near-identical one is a near-duplicate", () => {
    const text = "the quick brown fox jumps over the lazy dog near the river bank today";
    assert.equal(
      nearDuplicateOf(text, [{ label: "a", text: "a completely different sentence about bridges" }]),
      undefined,
    );
    assert.equal(nearDuplicateOf(text, [{ label: "b", text }])?.label, "b");
  });
});
