import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { taskIdFor } from "../../../src/core/ids.ts";
import { ofType, startStack, type TestStack } from "../../support/index.ts";
import { jobDone, runsOf, taskEventsOf, uniqueSpec } from "./support.ts";

const ADVICE = "IMPROVEMENT_ADVICE:";

/** The generator prompt of one iteration as the orchestrator created it. */
async function generatorPrompt(stack: TestStack, jobId: string, n: number): Promise<string> {
  const id = taskIdFor(jobId, n, "generator", 0);
  const created = ofType(await taskEventsOf(stack, jobId), "task.created").find(
    (e) => e.event.task_id === id,
  );
  const p = created?.event.data.prompt;
  assert.ok(p && "inline" in p, `${id} has an inline prompt`);
  return p.inline;
}

describe("prompt advice from quality history", () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack();
    // No revisions: a low critique ends its iteration at once, so the low-scoring job ends quickly.
    stack.startOrchestrator({ AGENTS_MAX_REVISIONS: "0" });
    stack.startWorker();
  });
  after(() => stack.stop());

  it("given low critiques for a spec, then a later job with the same spec gets IMPROVEMENT_ADVICE in its generator prompts", async () => {
    const { spec } = uniqueSpec("Write a limerick about brokers.", "critic 5 5 5");
    const first = await stack.submit({ spec, count: 2 });
    const firstEvents = await jobDone(stack, first);
    const scores = ofType(firstEvents, "critique.recorded").map((e) => [
      e.event.data.compliance,
      e.event.data.quality,
    ]);
    assert.deepEqual(scores, [
      [5, 5],
      [5, 5],
    ]);
    assert.deepEqual(
      ofType(firstEvents, "job.iteration_ended").map((e) => e.event.data.outcome),
      ["exhausted", "exhausted"],
    );
    for (const n of [1, 2])
      assert.ok(!(await generatorPrompt(stack, first, n)).includes(ADVICE), "no history yet");

    const later = await stack.submit({ spec, count: 1 });
    await jobDone(stack, later);
    const prompt = await generatorPrompt(stack, later, 1);
    assert.match(
      prompt,
      /^IMPROVEMENT_ADVICE: recent outputs for this spec averaged compliance 5\.0 and quality 5\.0/m,
    );
    assert.match(prompt, /^IMPROVEMENT_ADVICE: follow every stated requirement/m);
    assert.match(prompt, /^IMPROVEMENT_ADVICE: raise the quality/m);
    assert.match(prompt, /^RECENT CRITIQUES:\n- fixture critique of the output\./m);

    // The agent saw it: the last generator run for this spec carries the advice, the first two did not.
    const runs = await runsOf(stack, "generator", spec);
    assert.deepEqual(
      runs.map((r) => r.prompt.includes(ADVICE)),
      [false, false, true],
    );
  });

  it("given a spec that scored well, then later prompts for it get no advice", async () => {
    const { spec } = uniqueSpec("Write a haiku about consumers.");
    const first = await stack.submit({ spec, count: 2 });
    const firstEvents = await jobDone(stack, first);
    assert.ok(
      ofType(firstEvents, "critique.recorded").every((e) => e.event.data.passed),
      "the default fixture critic passes",
    );
    const later = await stack.submit({ spec, count: 1 });
    await jobDone(stack, later);
    assert.ok(!(await generatorPrompt(stack, later, 1)).includes(ADVICE), "no advice for a good spec");
    const runs = await runsOf(stack, "generator", spec);
    assert.equal(runs.length, 3);
    assert.ok(
      runs.every((r) => !r.prompt.includes(ADVICE)),
      "no generator prompt for this spec carries advice",
    );
  });
});
