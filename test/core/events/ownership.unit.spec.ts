import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  EVENT_HOMES,
  EVENT_TYPES,
  misplaced,
  Subjects,
  subjectPattern,
} from "../../../src/core/events/index.ts";
import { decodeMessage } from "../../../src/projections/decode.ts";
import { exampleEvent } from "./examples.ts";

const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

/** The concrete subject of a kind for an example event (its own job or task id). */
function home(type: (typeof EVENT_TYPES)[number]): string {
  const e = exampleEvent(type, {}, { task_id: "task-1", job_id: "job-1" });
  return subjectPattern(EVENT_HOMES[type][0])
    .replace("<jobId>", e.job_id ?? "")
    .replace("<taskId>", e.task_id ?? "")
    .replace("<criticTaskId>", e.task_id ?? "");
}

describe("event ownership: which subjects an event type may be taken from", () => {
  it("given every event type on its own subject, then it is accepted", () => {
    for (const type of EVENT_TYPES) {
      const e = exampleEvent(type, {}, { task_id: "task-1", job_id: "job-1" });
      assert.equal(misplaced(home(type), e), undefined, type);
    }
  });

  it("given a job.completed on a task subject (which workers may write), then it is refused, naming where it belongs", () => {
    const forged = exampleEvent("job.completed", {}, { job_id: "job-1" });
    assert.match(
      misplaced(Subjects.task("task-1"), forged) ?? "",
      /job\.completed does not belong on agents\.task\.task-1.*agents\.job\.<jobId>/,
    );
    assert.ok(misplaced(Subjects.critique("task-1"), forged));
    assert.ok(misplaced(Subjects.rejected, forged));
  });

  it("given a task event on the job subject or on another task's subject, then it is refused", () => {
    const done = exampleEvent("task.completed", {}, { task_id: "task-1" });
    assert.ok(misplaced(Subjects.job("job-1"), done));
    assert.match(misplaced(Subjects.task("task-2"), done) ?? "", /for task-1/);
    assert.ok(misplaced(Subjects.system, exampleEvent("task.cancelled")));
  });

  it("given critiques and rejections where streams written before hold them, then they are still accepted (old streams replay the same)", () => {
    const critique = exampleEvent("critique.recorded", {}, { job_id: "job-1", task_id: "critic-1" });
    assert.equal(misplaced(Subjects.job("job-1"), critique), undefined);
    assert.equal(misplaced(Subjects.critique("critic-1"), critique), undefined);
    assert.ok(misplaced(Subjects.critique("critic-2"), critique), "another critic's subject");
    const rejected = exampleEvent("message.rejected");
    assert.equal(misplaced(Subjects.system, rejected), undefined);
    assert.equal(misplaced(Subjects.rejected, rejected), undefined);
  });

  it("given system events anywhere but agents.system, then they are refused", () => {
    assert.ok(misplaced(Subjects.task("task-1"), exampleEvent("system.stopped")));
    assert.ok(misplaced(Subjects.rejected, exampleEvent("queue.paused")));
  });

  it("given a misplaced event in the stream, when the projections decode it, then it is skipped as invalid", () => {
    const forged = exampleEvent("job.completed", {}, { job_id: "job-1" });
    const d = decodeMessage({ seq: 7, subject: Subjects.task("task-1"), data: encode(forged) });
    assert.deepEqual(d, { seq: 7, event: null, invalid: true });
    const ok = decodeMessage({ seq: 8, subject: Subjects.job("job-1"), data: encode(forged) });
    assert.equal(ok.event?.type, "job.completed");
  });
});
