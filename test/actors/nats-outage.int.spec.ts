// An agent that finished while NATS was away has its output saved once NATS is back: the run is not
// failed, not repeated, and its paid output is not thrown away.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Subjects } from "../../src/core/events/index.ts";
import { actorsUp } from "../support/actors-up.ts";
import { eventually, ofType, startStack, type TestStack } from "../support/index.ts";

describe("given a generator whose agent answers after 3 s", () => {
  let stack: TestStack;
  before(async () => {
    // The work ack wait outlasts the outage, as the default does: the message stays with its worker.
    stack = await startStack({ AGENTS_WORK_ACK_WAIT_MS: "9000" });
    await actorsUp(stack.startOrchestrator(), stack.startWorker());
  });
  after(() => stack.stop());

  it("when NATS is down for 4 s while the agent finishes, then the output is saved after the outage and the task completes on its first run", async () => {
    const jobId = await stack.submit({
      spec: "Write one line about outages.\nFIXTURE: sleep-once 3000 outage",
      count: 1,
    });
    await stack.waitFor(Subjects.tasks, (es) =>
      ofType(es, "task.started").some((e) => e.event.job_id === jobId),
    );
    await eventually(async () => (await stack.agentRuns()).length === 1, 20_000);
    await stack.nats.kill();
    // The agent answers about now, with nobody to take its output.
    await sleep(4000);
    await stack.nats.restart();

    const jobEvents = await stack.waitFor(
      Subjects.job(jobId),
      (es) => ofType(es, "job.completed").length > 0,
      60_000,
    );
    assert.equal(ofType(jobEvents, "job.completed")[0]?.event.data.iterations_passed, 1);
    const generator = (await stack.events(Subjects.tasks)).filter(
      (e) => e.event.job_id === jobId && e.event.task_id?.endsWith("-g"),
    );
    assert.deepEqual(ofType(generator, "task.failed"), [], "the run was not failed");
    assert.equal(ofType(generator, "task.started").length, 1, "started once, never reclaimed");
    assert.equal(ofType(generator, "task.completed").length, 1);
    const runs = (await stack.agentRuns()).filter((r) => r.prompt.startsWith("ROLE: generator"));
    assert.equal(runs.length, 1, "the agent ran once: its output was kept");
  });
});
