import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AgentEvent, AgentEventType, EventData } from "../../src/core/events/index.ts";
import { JobEndTracker } from "../../src/gateway/job-end.ts";
import { exampleEvent } from "../core/events/examples.ts";

const JOB = "jEnd";
const TASK = `${JOB}-i1-g`;

function ev<T extends AgentEventType>(type: T, task?: string, data: Partial<EventData<T>> = {}): AgentEvent {
  return exampleEvent(type, data, { job_id: JOB, ...(task ? { task_id: task } : {}) });
}

/** Feed events in order (their index + 1 is their sequence); the tracker after them. */
function fold(events: AgentEvent[]): JobEndTracker {
  const t = new JobEndTracker(JOB);
  for (const [i, e] of events.entries()) t.observe(e, i + 1);
  return t;
}

describe("JobEndTracker", () => {
  it("given a job whose only task completed and then the job, then it ended completed with the job's reason", () => {
    const t = fold([
      ev("job.submitted"),
      ev("task.created", TASK),
      ev("task.started", TASK),
      ev("task.completed", TASK),
      ev("job.completed", undefined, { reason: "all_done" }),
    ]);
    assert.deepEqual(t.ended, { job_id: JOB, status: "completed", reason: "all_done", final_seq: 5 });
  });

  it("given a cancelled job with a task still running, then it has not ended until that task is cancelled", () => {
    const t = fold([
      ev("job.submitted"),
      ev("task.created", TASK),
      ev("task.started", TASK),
      ev("job.cancelled"),
    ]);
    assert.equal(t.ended?.status, undefined);
    t.observe(ev("task.cancelled", TASK), 5);
    assert.equal(t.ended?.status, "cancelled");
    assert.equal(t.ended?.final_seq, 4);
  });

  it("given a paused (interrupted) task, then the job has not ended", () => {
    const t = fold([
      ev("job.submitted"),
      ev("task.created", TASK),
      ev("task.started", TASK),
      ev("task.interrupted", TASK),
      ev("job.completed", undefined, { reason: "stopped" }),
    ]);
    assert.equal(t.ended, undefined);
  });

  it("given a rejected job, then it ended rejected naming the first field", () => {
    const t = fold([ev("job.submitted"), ev("job.rejected")]);
    assert.equal(t.ended?.status, "rejected");
    assert.equal(t.ended?.reason, "count: Too small: expected number to be >=1");
  });

  it("given a job that ended and then planned another wave, then it has not ended", () => {
    const t = fold([ev("job.submitted"), ev("job.completed"), ev("job.wave_planned")]);
    assert.equal(t.ended, undefined);
  });

  it("given another job's final event, then this job has not ended", () => {
    const t = new JobEndTracker(JOB);
    t.observe(exampleEvent("job.completed", {}, { job_id: "other" }), 1);
    assert.equal(t.ended, undefined);
  });
});
