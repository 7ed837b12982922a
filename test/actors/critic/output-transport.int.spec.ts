// How a generator's output reaches its critic: a small one inline in task.completed and in the
// critic task's attachment (no object written or read), a large one through the object store.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { INLINE_OUTPUT_BYTES } from "../../../src/core/events/index.ts";
import { AttachmentLabel } from "../../../src/core/protocol/labels.ts";
import { Artifacts } from "../../../src/nats/artifacts.ts";
import { ofType, useStack } from "../../support/index.ts";
import { jobDone, taskEventsOf, uniqueSpec } from "./support.ts";

describe("given a generator and its critic", () => {
  const stack = useStack();

  /** Run a one-iteration job; its generator's task.completed, its critic's task.created and the critic's prompt. */
  async function run(title: string, output: string) {
    const { spec } = uniqueSpec(title, `output ${output}`);
    const jobId = await stack().submit({ spec, count: 1 });
    await jobDone(stack(), jobId, 90_000);
    const tasks = await taskEventsOf(stack(), jobId);
    const done = ofType(tasks, "task.completed").find((e) => e.event.task_id === `${jobId}-i1-g`);
    const critic = ofType(tasks, "task.created").find((e) => e.event.data.task_type === "critic");
    assert.ok(done, "the generator completed");
    assert.ok(critic, "a critic task was created");
    const runs = await stack().agentRuns();
    const criticRun = runs.find((r) => r.prompt.includes("ROLE: critic") && r.prompt.includes(title));
    assert.ok(criticRun, "the critic's agent ran");
    const attached = critic.event.data.attachments.find((a) => a.label === AttachmentLabel.Output);
    assert.ok(attached, "the critic task has the output attached");
    return { done: done.event.data, attached, criticPrompt: criticRun.prompt };
  }

  it("when the output is small, then it travels inline to the critic and nothing is stored for it", async () => {
    const output = "A short answer about tides.";
    const { done, attached, criticPrompt } = await run("Small output", output);
    assert.equal(done.output_inline, output);
    assert.equal(attached.inline, output, "the critic's attachment carries the text");
    assert.equal(attached.ref, done.output_ref);
    assert.ok(criticPrompt.includes(`${AttachmentLabel.Output}:\n${output}`), "the critic saw the output");
    const artifacts = await Artifacts.open(stack().nc);
    assert.equal(await artifacts.findText(done.output_ref), undefined, "no object was written");
  });

  it("when the output is over the inline bound, then it is stored and the critic reads it from the store", async () => {
    const output = `Long answer ${"about rivers and their deltas ".repeat(Math.ceil(INLINE_OUTPUT_BYTES / 28))}end.`;
    assert.ok(Buffer.byteLength(output) > INLINE_OUTPUT_BYTES);
    const { done, attached, criticPrompt } = await run("Large output", output);
    assert.equal(done.output_inline, undefined, "a large output is not inline");
    assert.equal(done.output_bytes, Buffer.byteLength(output));
    assert.equal(attached.inline, undefined);
    assert.equal(attached.ref, done.output_ref);
    const artifacts = await Artifacts.open(stack().nc);
    assert.equal(await artifacts.findText(done.output_ref), output, "the output is in the object store");
    assert.ok(criticPrompt.includes(`${AttachmentLabel.Output}:\n${output}`), "the critic saw the output");
  });
});
