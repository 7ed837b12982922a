import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EVENT_TYPES } from "../../../src/core/events/index.ts";
import {
  canApply,
  evolveTask,
  foldTask,
  IllegalTransitionError,
  isTaskEventType,
  nextStatus,
  type TaskEventType,
  type TaskStatus,
} from "../../../src/core/lifecycle/index.ts";
import { exampleEvent } from "../events/examples.ts";

const STATUSES: ReadonlyArray<TaskStatus | null> = [
  null,
  "pending",
  "queued",
  "running",
  "cancel_requested",
  "completed",
  "failed",
  "handed_off",
  "interrupted",
  "dead_lettered",
  "cancelled",
];

/** The lifecycle as the brief states it, written out independently of TRANSITIONS: from → to. */
const EXPECTED: Record<TaskEventType, Partial<Record<TaskStatus | "absent", TaskStatus>>> = {
  "task.created": { absent: "pending" },
  "task.queued": { pending: "queued", interrupted: "queued" },
  "task.retry_scheduled": { failed: "queued" },
  // running → running is a reclaim; interrupted → running restarts a task after an emergency stop.
  "task.started": { queued: "running", running: "running", interrupted: "running" },
  "task.progress": { running: "running", cancel_requested: "cancel_requested" },
  "task.completed": { running: "completed", cancel_requested: "completed" },
  "task.handoff_requested": { running: "handed_off", cancel_requested: "handed_off" },
  "task.failed": { running: "failed", cancel_requested: "failed" },
  "validation.failed": { running: "failed", cancel_requested: "failed" },
  "task.dead_lettered": { failed: "dead_lettered" },
  "task.cancel_requested": { running: "cancel_requested" },
  "task.cancelled": {
    pending: "cancelled",
    queued: "cancelled",
    running: "cancelled",
    cancel_requested: "cancelled",
    failed: "cancelled",
    interrupted: "cancelled",
  },
  "task.interrupted": { running: "interrupted" },
  // An operator's retry is the one way out of the dead letter.
  "task.requeued": { dead_lettered: "queued" },
};

const TASK_EVENT_TYPES = Object.keys(EXPECTED) as TaskEventType[];

describe("task transitions", () => {
  it("given the catalogue, then the task event types are exactly the task.* events and validation.failed", () => {
    const fromCatalogue = EVENT_TYPES.filter((t) => t.startsWith("task.") || t === "validation.failed");
    assert.deepEqual([...TASK_EVENT_TYPES].sort(), [...fromCatalogue].sort());
    for (const type of EVENT_TYPES) assert.equal(isTaskEventType(type), fromCatalogue.includes(type), type);
  });

  for (const type of TASK_EVENT_TYPES) {
    for (const from of STATUSES) {
      const to = EXPECTED[type][from ?? "absent"];
      const label = from ?? "absent";
      if (to) {
        it(`given a ${label} task, when ${type} is applied, then it is ${to}`, () => {
          assert.equal(nextStatus(from, type, "t1"), to);
          assert.equal(canApply(from, type), true);
        });
      } else {
        it(`given a ${label} task, when ${type} is applied, then ILLEGAL_TRANSITION`, () => {
          assert.throws(
            () => nextStatus(from, type, "t1"),
            (err: unknown) =>
              err instanceof IllegalTransitionError &&
              err.code === "ILLEGAL_TRANSITION" &&
              err.from === from &&
              err.eventType === type &&
              err.message.includes(type) &&
              err.message.includes(label),
          );
          assert.equal(canApply(from, type), false);
        });
      }
    }
  }
});

describe("evolveTask", () => {
  const history = [
    exampleEvent("task.created"),
    exampleEvent("task.queued", { attempt: 1 }),
    exampleEvent("task.started", { attempt: 1, worker_id: "worker-a" }),
    exampleEvent("task.failed", { attempt: 1, reason: "timeout", error: "too slow", cost_usd: 0.01 }),
    exampleEvent("task.retry_scheduled", { attempt: 2, model: "opus" }),
    exampleEvent("task.started", { attempt: 2, worker_id: "worker-b", model: "opus" }),
    exampleEvent("task.completed", { cost_usd: 0.02, output_ref: "outputs/task-1/attempt-2.md" }),
  ].map((event, i) => ({ event, seq: 10 + i * 3 }));

  it("given a history with one retry, when folded, then the task is completed on attempt 2 at the last seq", () => {
    const state = foldTask(history);
    assert.ok(state);
    assert.equal(state.status, "completed");
    assert.equal(state.attempt, 2);
    assert.equal(state.seq, 28);
    assert.equal(state.task_id, "task-1");
    assert.equal(state.job_id, "job-1");
    assert.equal(state.worker_id, "worker-b");
    assert.equal(state.model, "opus");
    assert.equal(state.output_ref, "outputs/task-1/attempt-2.md");
    assert.equal(state.last_error, "timeout: too slow");
    assert.ok(Math.abs(state.cost_usd - 0.03) < 1e-9);
  });

  it("given the same history step by step, then each status follows the lifecycle", () => {
    const statuses: string[] = [];
    let state = null;
    for (const { event, seq } of history) {
      state = evolveTask(state, event, seq);
      statuses.push(`${state.status}@${state.attempt}`);
    }
    assert.deepEqual(statuses, [
      "pending@0",
      "queued@1",
      "running@1",
      "failed@1",
      "queued@2",
      "running@2",
      "completed@2",
    ]);
  });

  it("given a completed task, when started again, then evolve throws IllegalTransitionError", () => {
    const state = foldTask(history);
    assert.throws(() => evolveTask(state, exampleEvent("task.started"), 99), IllegalTransitionError);
  });

  it("given a job event, when applied, then the task state is unchanged", () => {
    const state = foldTask(history);
    assert.equal(evolveTask(state, exampleEvent("job.cancelled"), 99), state);
  });
});
