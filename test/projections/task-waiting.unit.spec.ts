// What a task's document says it waits for: set by a waiting task.progress or task.interrupted,
// kept (with its first since) while the wait goes on, ended by progress without it or a new start.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AgentEvent } from "../../src/core/events/index.ts";
import { contextAt } from "../../src/projections/context.ts";
import { evolveTaskDetails, type TaskDoc } from "../../src/projections/task-details/evolve.ts";
import { EXAMPLE_NOW, exampleEvent } from "../core/events/examples.ts";

const until = new Date(EXAMPLE_NOW + 60_000).toISOString();
const at = (s: number) => ({ now: EXAMPLE_NOW + s * 1000 });

function fold(events: AgentEvent[]): TaskDoc | null {
  let doc: TaskDoc | null = null;
  for (const [i, e] of events.entries()) doc = evolveTaskDetails(doc, e, contextAt(i + 1));
  return doc;
}

const started = [
  exampleEvent("task.created", {}, at(0)),
  exampleEvent("task.queued", {}, at(1)),
  exampleEvent("task.started", {}, at(2)),
];

describe("what a task waits for", () => {
  it("given waiting progress twice for one reason, then the task waits since the first, until the latest", () => {
    const doc = fold([
      ...started,
      exampleEvent("task.progress", { waiting: { model: "gpt-4o", why: "tokens", until } }, at(3)),
      exampleEvent("task.progress", { waiting: { model: "gpt-4o", why: "tokens", until } }, at(4)),
    ]);
    assert.deepEqual(doc?.waiting, {
      model: "gpt-4o",
      why: "tokens",
      until,
      since: new Date(EXAMPLE_NOW + 3000).toISOString(),
    });
  });

  it("given the wait's reason changes, then since starts again", () => {
    const doc = fold([
      ...started,
      exampleEvent("task.progress", { waiting: { model: "gpt-4o", why: "tokens", until } }, at(3)),
      exampleEvent("task.progress", { waiting: { model: "gpt-4o", why: "priority", until } }, at(5)),
    ]);
    assert.equal(doc?.waiting?.since, new Date(EXAMPLE_NOW + 5000).toISOString());
  });

  it("given progress without waiting after a wait, then the task no longer waits", () => {
    const doc = fold([
      ...started,
      exampleEvent("task.progress", { waiting: { model: "gpt-4o", why: "tokens", until } }, at(3)),
      exampleEvent("task.progress", { message: "writing" }, at(4)),
    ]);
    assert.equal(doc?.waiting, null);
  });

  it("given an interruption for a spent day budget, then the task waits until then, and a new start ends it", () => {
    const spent = exampleEvent(
      "task.interrupted",
      { reason: "the day budget …", waiting: { model: "gpt-4o", why: "day_budget_spent", until } },
      at(3),
    );
    assert.equal(fold([...started, spent])?.waiting?.why, "day_budget_spent");
    assert.equal(fold([...started, spent, exampleEvent("task.started", {}, at(9))])?.waiting, null);
  });
});
