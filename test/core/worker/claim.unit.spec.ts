import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { WorkItem } from "../../../src/core/events/index.ts";
import type { TaskStatus } from "../../../src/core/lifecycle/index.ts";
import { type ClaimDecision, decideClaim } from "../../../src/core/worker/claim.ts";

const NOW = Date.parse("2025-01-01T12:00:00.000Z");

/** What a fresh (current-attempt, due) item should lead to, per status: first delivery, redelivery. */
const EXPECTED: Record<TaskStatus | "absent", { first: ClaimDecision; redelivered: ClaimDecision }> = {
  absent: {
    first: { kind: "drop", why: "no such task" },
    redelivered: { kind: "drop", why: "no such task" },
  },
  pending: {
    first: { kind: "later", delayMs: 500, why: "task not queued yet" },
    redelivered: { kind: "later", delayMs: 500, why: "task not queued yet" },
  },
  queued: { first: { kind: "start", reclaimed: false }, redelivered: { kind: "start", reclaimed: false } },
  // Returned to the queue by an emergency stop: started again after resume.
  interrupted: {
    first: { kind: "start", reclaimed: false },
    redelivered: { kind: "start", reclaimed: false },
  },
  // A redelivered running task means its worker went silent: take it over.
  running: {
    first: { kind: "drop", why: "already running elsewhere" },
    redelivered: { kind: "start", reclaimed: true },
  },
  cancel_requested: { first: { kind: "cancel" }, redelivered: { kind: "cancel" } },
  failed: {
    first: { kind: "drop", why: "task is failed" },
    redelivered: { kind: "drop", why: "task is failed" },
  },
  completed: {
    first: { kind: "drop", why: "task is completed" },
    redelivered: { kind: "drop", why: "task is completed" },
  },
  handed_off: {
    first: { kind: "drop", why: "task is handed_off" },
    redelivered: { kind: "drop", why: "task is handed_off" },
  },
  dead_lettered: {
    first: { kind: "drop", why: "task is dead_lettered" },
    redelivered: { kind: "drop", why: "task is dead_lettered" },
  },
  cancelled: {
    first: { kind: "drop", why: "task is cancelled" },
    redelivered: { kind: "drop", why: "task is cancelled" },
  },
};

const NOT_BEFORE = {
  none: undefined,
  past: new Date(NOW - 5_000).toISOString(),
  future: new Date(NOW + 7_000).toISOString(),
} as const;

function item(attempt: number, notBefore: string | undefined): WorkItem {
  return {
    task_id: "j1-i1-g",
    job_id: "j1",
    queue: "standard",
    band: "normal",
    priority: 999,
    attempt,
    ...(notBefore ? { not_before: notBefore } : {}),
  };
}

describe("decideClaim: statuses × redelivered × stale attempt × not_before", () => {
  for (const [statusName, want] of Object.entries(EXPECTED)) {
    const status = statusName === "absent" ? null : (statusName as TaskStatus);
    for (const redelivered of [false, true]) {
      for (const stale of [false, true]) {
        for (const [nb, notBefore] of Object.entries(NOT_BEFORE)) {
          // The task is on attempt 2; a stale item still names attempt 1.
          const input = { item: item(stale ? 1 : 2, notBefore), status, attempt: 2, redelivered, now: NOW };
          const expected: ClaimDecision =
            nb === "future"
              ? { kind: "later", delayMs: 7_000, why: "retry backoff" }
              : status === null
                ? want.first
                : stale
                  ? { kind: "drop", why: "stale item for attempt 1" }
                  : redelivered
                    ? want.redelivered
                    : want.first;
          const name = `given a ${statusName} task, ${redelivered ? "redelivered" : "first delivery"}, ${stale ? "stale" : "current"} attempt, not_before ${nb}, then ${expected.kind}`;
          it(name, () => {
            assert.deepEqual(decideClaim(input), expected);
          });
        }
      }
    }
  }
});

describe("decideClaim: details", () => {
  it("given an item newer than the task's attempt (the retry event is still in flight), then it starts", () => {
    const d = decideClaim({
      item: item(3, undefined),
      status: "queued",
      attempt: 2,
      redelivered: false,
      now: NOW,
    });
    assert.deepEqual(d, { kind: "start", reclaimed: false });
  });

  it("given not_before exactly now, then the item is due", () => {
    const at = new Date(NOW).toISOString();
    const d = decideClaim({ item: item(1, at), status: "queued", attempt: 1, redelivered: false, now: NOW });
    assert.equal(d.kind, "start");
  });

  it("given not_before 1 ms ahead, then it waits 1 ms", () => {
    const at = new Date(NOW + 1).toISOString();
    const d = decideClaim({ item: item(1, at), status: "queued", attempt: 1, redelivered: false, now: NOW });
    assert.deepEqual(d, { kind: "later", delayMs: 1, why: "retry backoff" });
  });
});
