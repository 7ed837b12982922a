// A dead-lettered task can be retried (agents.control.retry): its iteration and its completed job
// re-open, the task runs once more, and the job completes again. Anything else is refused.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Subjects } from "../../src/core/events/index.ts";
import { taskIdFor } from "../../src/core/ids.ts";
import { actorsUp } from "../support/actors-up.ts";
import { ofType, startStack, type TestStack } from "../support/index.ts";

describe("given a job whose only generator failed its one attempt", () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack();
    await actorsUp(stack.startOrchestrator(), stack.startWorker());
  });
  after(() => stack.stop());

  it("when the dead-lettered task is retried, then the job re-opens, the task runs again and the job completes again", async () => {
    const jobId = await stack.submit({
      spec: "Write one line about second chances.\nFIXTURE: fail-times 1 retry-once",
      count: 1,
      max_attempts: 1,
    });
    const taskId = taskIdFor(jobId, 1, "generator", 0);
    const first = await stack.waitFor(Subjects.job(jobId), (es) => ofType(es, "job.completed").length > 0);
    assert.equal(ofType(first, "job.completed")[0]?.event.data.iterations_failed, 1);
    assert.equal(ofType(await stack.events(Subjects.task(taskId)), "task.dead_lettered").length, 1);

    // Refused: garbage, a task that does not exist, a task that is not dead-lettered.
    stack.nc.publish(Subjects.controlRetry, '{"task":"x"}');
    stack.nc.publish(Subjects.controlRetry, JSON.stringify({ task_id: `${jobId}-i9-g` }));
    stack.nc.publish(Subjects.controlRetry, JSON.stringify({ task_id: taskIdFor(jobId, 1, "critic", 1) }));
    await stack.waitFor(Subjects.rejected, (es) =>
      ofType(es, "message.rejected").some((e) => e.event.data.subject === Subjects.controlRetry),
    );

    stack.nc.publish(
      Subjects.controlRetry,
      JSON.stringify({ task_id: taskId, reason: "the provider is back" }),
    );
    const again = await stack.waitFor(
      Subjects.job(jobId),
      (es) => ofType(es, "job.completed").length > 1,
      40_000,
    );
    const [reopened] = ofType(again, "job.reopened");
    assert.deepEqual(reopened?.event.data, {
      iteration: 1,
      task_id: taskId,
      reason: "the provider is back",
      was_completed: true,
    });
    const completed = ofType(again, "job.completed");
    assert.ok((reopened?.seq ?? 0) > (completed[0]?.seq ?? 0), "re-opened after it had completed");
    assert.deepEqual(
      [completed[1]?.event.data.iterations_passed, completed[1]?.event.data.iterations_failed],
      [1, 0],
      "the second completion counts the iteration as passed",
    );
    const task = await stack.events(Subjects.task(taskId));
    // Progress events come and go with how long a run takes (a loaded machine): the story without them.
    const story = task.map((e) => e.event.type).filter((type) => type !== "task.progress");
    assert.deepEqual(story.slice(-4), [
      "task.dead_lettered",
      "task.requeued",
      "task.started",
      "task.completed",
    ]);
    assert.equal(ofType(task, "task.requeued")[0]?.event.data.attempt, 2);
    assert.equal(ofType(task, "task.started").at(-1)?.event.data.attempt, 2);

    // Retrying it again now does nothing: it is no longer dead-lettered.
    stack.nc.publish(Subjects.controlRetry, JSON.stringify({ task_id: taskId }));
    await sleep(2000);
    const later = (await stack.events(Subjects.tasks)).filter((e) => e.event.job_id === jobId);
    assert.equal(ofType(later, "task.requeued").length, 1, "a completed task is not retried");
  });
});
