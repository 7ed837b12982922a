import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evolveTask } from "../../../src/core/lifecycle/index.ts";
import { nextModel } from "../../../src/core/providers/chain.ts";
import { exampleEvent } from "../events/examples.ts";

describe("the model fallback chain after a 429", () => {
  it("given a primary with fallbacks, then each 429 moves one step along the chain and the last has none", () => {
    assert.equal(nextModel("opus", ["sonnet", "haiku"], "opus"), "sonnet");
    assert.equal(nextModel("opus", ["sonnet", "haiku"], "sonnet"), "haiku");
    assert.equal(nextModel("opus", ["sonnet", "haiku"], "haiku"), undefined);
    assert.equal(nextModel("opus", [], "opus"), undefined);
  });

  it("given task.interrupted naming a model, when folded, then the task runs on that model next", () => {
    let s = evolveTask(null, exampleEvent("task.created"), 1);
    s = evolveTask(s, exampleEvent("task.queued"), 2);
    s = evolveTask(s, exampleEvent("task.started"), 3);
    const interrupted = exampleEvent("task.interrupted", { reason: "429", worker_id: "w", model: "haiku" });
    s = evolveTask(s, interrupted, 4);
    assert.equal(s.model, "haiku");
    assert.equal(s.status, "interrupted");
  });
});
