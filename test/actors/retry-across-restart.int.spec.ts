// A retry re-opens a job the orchestrator had forgotten (it had completed). If the orchestrator then
// restarts before the job completes again, the new one must bring the re-opened job back from the
// stream (in its fold, or when it consumes the job.reopened): otherwise it refuses every later event
// of the job, and the job never completes again.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Subjects } from "../../src/core/events/index.ts";
import { taskIdFor } from "../../src/core/ids.ts";
import { actorsUp } from "../support/actors-up.ts";
import { ofType, startStack, type TestStack } from "../support/index.ts";

describe("given a dead-lettered task retried while no worker runs", () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.stop());

  it("when the orchestrator restarts before the retried task runs, then the job still completes again", async () => {
    const orchestrator = stack.startOrchestrator();
    const worker = stack.startWorker();
    await actorsUp(orchestrator, worker);
    const jobId = await stack.submit({
      spec: "Write one line about coming back.\nFIXTURE: fail-times 1 retry-restart",
      count: 1,
      max_attempts: 1,
    });
    const taskId = taskIdFor(jobId, 1, "generator", 0);
    await stack.waitFor(Subjects.job(jobId), (es) => ofType(es, "job.completed").length > 0);
    await worker.kill("SIGTERM");

    stack.nc.publish(Subjects.controlRetry, JSON.stringify({ task_id: taskId, reason: "try again" }));
    await stack.waitFor(Subjects.task(taskId), (es) => ofType(es, "task.requeued").length > 0);
    await stack.waitFor(Subjects.job(jobId), (es) => ofType(es, "job.reopened").length > 0);
    await orchestrator.kill("SIGKILL");

    await actorsUp(stack.startOrchestrator(), stack.startWorker());
    const again = await stack.waitFor(
      Subjects.job(jobId),
      (es) => ofType(es, "job.completed").length > 1,
      60_000,
    );
    const second = ofType(again, "job.completed")[1]?.event.data;
    assert.deepEqual([second?.iterations_passed, second?.iterations_failed], [1, 0]);
    const task = await stack.events(Subjects.task(taskId));
    assert.equal(ofType(task, "task.completed").length, 1, "the retried task ran to completion once");
  });
});
