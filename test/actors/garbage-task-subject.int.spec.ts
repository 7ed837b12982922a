// Anyone can publish on agents.task.<id>: garbage there is rejected, and the orchestrator's next
// decision about that task (made at the sequence it knew) must not be lost to it.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Subjects } from "../../src/core/events/index.ts";
import { actorsUp } from "../support/actors-up.ts";
import { alive, eventually, ofType, startStack, type TestStack } from "../support/index.ts";

describe("given a task whose agent runs for a minute", () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack();
    await actorsUp(stack.startOrchestrator(), stack.startWorker());
  });
  after(() => stack.stop());

  it("when garbage lands on its subject and the job is cancelled, then the cancel still reaches the task", async () => {
    const jobId = await stack.submit({
      spec: "Write one line about wedges.\nFIXTURE: sleep 60000",
      count: 1,
    });
    const started = await stack.waitFor(
      Subjects.tasks,
      (es) => ofType(es, "task.started").some((e) => e.event.job_id === jobId),
      30_000,
    );
    const taskId = ofType(started, "task.started").find((e) => e.event.job_id === jobId)?.event.task_id ?? "";
    let agentPid = 0;
    await eventually(async () => {
      agentPid = (await stack.agentRuns())[0]?.pid ?? 0;
      return agentPid > 0;
    }, 20_000);

    // Garbage after the task's last event: the orchestrator's view of the subject is now stale.
    stack.nc.publish(Subjects.task(taskId), "{ not an event");
    await stack.waitFor(
      Subjects.rejected,
      (es) => ofType(es, "message.rejected").some((e) => e.event.data.subject === Subjects.task(taskId)),
      30_000,
    );
    stack.nc.publish(Subjects.controlCancel, JSON.stringify({ job_id: jobId, reason: "wedge test" }));

    const events = await stack.waitFor(
      Subjects.task(taskId),
      (es) => ofType(es, "task.cancelled").length > 0,
      30_000,
    );
    assert.equal(ofType(events, "task.cancel_requested").length, 1, "the cancel was recorded once");
    await eventually(() => !alive(agentPid), 15_000);
    await stack.waitFor(Subjects.job(jobId), (es) => ofType(es, "job.cancelled").length > 0, 10_000);
  });
});
