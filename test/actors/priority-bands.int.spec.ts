import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type Band, STREAM_WORK, Subjects } from "../../src/core/events/index.ts";
import type { StoredEvent } from "../../src/core/ports/event-store.ts";
import { actorsUp } from "../support/actors-up.ts";
import { ofType, queuings, startStack, type TestStack } from "../support/index.ts";

/** The band of every task created so far, by task id. */
function bands(events: StoredEvent[]): Map<string, Band> {
  return new Map(ofType(events, "task.created").map((e) => [e.event.task_id ?? "", e.event.data.band]));
}

describe("given high- and low-priority work queued before a worker of concurrency 1 starts", () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack();
    // Process start-up (tsx on a loaded machine) is not what the budgets below are for.
    await actorsUp(stack.startOrchestrator());
  });
  after(() => stack.stop());

  it("when the worker runs while high-priority jobs keep arriving, then high starts first and low is not starved", async (t) => {
    const spec = "Write one line about queues.";
    const high = await stack.submit({ spec, count: 5, priority: 400 });
    const low = await stack.submit({ spec, count: 5, priority: -400 });
    await stack.waitFor(Subjects.tasks, (es) => queuings(es).length >= 10, 30_000);
    // The orchestrator dispatches once a task is queued: wait until all ten work items are on the stream.
    const deadline = Date.now() + 30_000;
    while ((await stack.jsm.streams.info(STREAM_WORK)).state.messages < 10 && Date.now() < deadline) {
      await sleep(100);
    }
    const queued = bands(await stack.events(Subjects.tasks));
    assert.deepEqual(
      [...queued.entries()].filter(([id]) => id.startsWith(high)).map(([, b]) => b),
      ["high", "high", "high", "high", "high"],
    );
    assert.deepEqual(
      [...queued.entries()].filter(([id]) => id.startsWith(low)).map(([, b]) => b),
      ["low", "low", "low", "low", "low"],
    );

    await actorsUp(stack.startWorker({ AGENTS_WORKER_CONCURRENCY: "1" }));
    // Keep high-priority work arriving until two low-band tasks have started (or time runs out:
    // about twenty runs of the fake CLI, one at a time, on a loaded machine).
    let highJobs = 1;
    let lowStarts: StoredEvent[] = [];
    let events: StoredEvent[] = [];
    const until = Date.now() + 90_000;
    while (Date.now() < until) {
      await stack.submit({ spec, count: 2, priority: 400 });
      highJobs++;
      await sleep(700);
      events = await stack.events(Subjects.tasks);
      const b = bands(events);
      lowStarts = ofType(events, "task.started").filter((e) => b.get(e.event.task_id ?? "") === "low");
      if (lowStarts.length >= 2) break;
    }
    const b = bands(events);
    const starts = ofType(events, "task.started");
    t.diagnostic(
      `${highJobs} high jobs submitted; start order: ${starts.map((s) => (b.get(s.event.task_id ?? "") ?? "?")[0]).join("")}`,
    );
    assert.equal(lowStarts.length, 2, "two low-band tasks started while high-band work kept arriving");

    // High first: the first three tasks the worker started were all high-band.
    assert.deepEqual(
      starts.slice(0, 3).map((s) => b.get(s.event.task_id ?? "")),
      ["high", "high", "high"],
    );
    // Each low-band start happened while high-band work was still waiting (created, not yet started).
    for (const ls of lowStarts) {
      const startedBefore = new Set(starts.filter((s) => s.seq < ls.seq).map((s) => s.event.task_id));
      const waitingHigh = ofType(events, "task.created").filter(
        (c) => c.seq < ls.seq && c.event.data.band === "high" && !startedBefore.has(c.event.task_id),
      );
      assert.ok(
        waitingHigh.length > 0,
        `high-band work was waiting when low-band ${ls.event.task_id} started`,
      );
    }
    // And the worker (concurrency 1) never ran two tasks at once: each start follows the previous end.
    const ends = ofType(events, "task.completed");
    for (const [i, s] of starts.slice(1).entries()) {
      const prev = starts[i];
      const end = ends.find((e) => e.event.task_id === prev?.event.task_id);
      assert.ok(end && end.seq < s.seq, `${s.event.task_id} started after ${prev?.event.task_id} ended`);
    }
  });
});
