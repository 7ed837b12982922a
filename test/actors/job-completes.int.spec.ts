import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Subjects } from "../../src/core/events/index.ts";
import { findOutput } from "../../src/core/ports/artifact-store.ts";
import { Artifacts } from "../../src/nats/artifacts.ts";
import { ofType, useStack } from "../support/index.ts";

describe("a job with count 5 and two workers", () => {
  const stack = useStack({ workers: 2 });

  it("completes, and every iteration's output is retrievable", async () => {
    const jobId = await stack().submit({ spec: "Write one line about queues.", count: 5 });
    const jobEvents = await stack().waitFor(
      Subjects.job(jobId),
      (es) => ofType(es, "job.completed").length > 0,
      60_000,
    );
    const completed = ofType(jobEvents, "job.completed")[0];
    assert.equal(completed?.event.data.iterations_passed, 5);
    const ended = ofType(jobEvents, "job.iteration_ended");
    assert.deepEqual(ended.map((e) => e.event.data.iteration).sort(), [1, 2, 3, 4, 5]);

    const all = await stack().events();
    const workers = new Set(ofType(all, "task.started").map((e) => e.event.data.worker_id));
    assert.equal(workers.size, 2, "both workers took tasks");
    const artifacts = await Artifacts.open(stack().nc);
    for (const e of ended) {
      const best = e.event.data.best_task_id as string;
      const done = ofType(all, "task.completed").find((c) => c.event.task_id === best);
      assert.ok(done, `iteration ${e.event.data.iteration} has a completed best task`);
      // A one-line answer travels inline in task.completed: nothing is stored under its key.
      assert.match(done.event.data.output_inline ?? "", /Fixture answer for: ROLE: generator/);
      assert.equal(await artifacts.findText(done.event.data.output_ref), undefined);
      assert.equal(await findOutput(artifacts, done.event.data), done.event.data.output_inline);
    }
    // Exactly one completion per task.
    const completions = ofType(all, "task.completed").map((e) => e.event.task_id);
    assert.equal(new Set(completions).size, completions.length);
  });

  it("records the exact prompt each agent received: inline in task.started when small, nothing stored", async () => {
    const artifacts = await Artifacts.open(stack().nc);
    const runs = await stack().agentRuns();
    const all = await stack().events();
    const started = ofType(all, "task.started");
    assert.ok(started.length >= 10, `generators and critics started (${started.length})`);
    let carried = 0;
    for (const s of started) {
      // When it differs from task.created's inline prompt (attachments, feedback) it travels in
      // task.started (these prompts are small) under a key nothing is stored at; else that inline
      // prompt is exactly what the agent received.
      const { prompt_ref: ref, prompt_inline: sent } = s.event.data;
      const created = ofType(all, "task.created").find((c) => c.event.task_id === s.event.task_id);
      const inline =
        created && "inline" in created.event.data.prompt ? created.event.data.prompt.inline : undefined;
      if (ref) {
        carried++;
        assert.ok(sent, `${s.event.task_id}: a small prompt as sent travels inline`);
        assert.equal(await artifacts.findText(ref), undefined, "no object was written for it");
      }
      const recorded = ref ? sent : inline;
      assert.ok(recorded, `the prompt of ${s.event.task_id} is recorded`);
      assert.ok(
        runs.some((r) => r.prompt === recorded),
        `the prompt recorded for ${s.event.task_id} is exactly what an agent received`,
      );
    }
    assert.ok(carried >= 5, `critic prompts (with the output attached) are recorded as sent (${carried})`);
  });

  it("runs every agent in its own folder, and removes the folders the agents left empty", async () => {
    const runs = await stack().agentRuns();
    const work = join(stack().env.AGENTS_DATA_DIR as string, "work");
    const folders = runs.map((r) => r.cwd);
    assert.equal(new Set(folders).size, runs.length, "one folder per agent run");
    for (const f of folders) assert.match(f, new RegExp(`^${work}/[^/]+-[gkcr]\\d*/\\d+$`));
    // The fixture agent writes nothing, so nothing is left behind.
    for (const f of folders) assert.equal(existsSync(f), false, `${f} removed`);
  });
});
