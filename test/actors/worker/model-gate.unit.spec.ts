import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ModelGate } from "../../../src/actors/worker/model-gate.ts";

describe("per-model concurrency limits and 429 slow-downs", () => {
  it("given a limit of 2 for a model, when 3 runs ask, then the third waits until one releases", async () => {
    const gate = new ModelGate(new Map([["sonnet", 2]]));
    const signal = new AbortController().signal;
    const a = await gate.acquire("sonnet", signal);
    await gate.acquire("sonnet", signal);
    let third = false;
    const p = gate.acquire("sonnet", signal).then((release) => {
      third = true;
      return release;
    });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(third, false, "the third run must wait while two hold the model");
    a();
    (await p)();
    assert.equal(third, true);
  });

  it("given a model without a limit, then runs never wait", async () => {
    const gate = new ModelGate(new Map([["sonnet", 1]]));
    const signal = new AbortController().signal;
    await gate.acquire("haiku", signal);
    await gate.acquire("haiku", signal);
    assert.ok(true, "two runs of an unlimited model were admitted at once");
  });

  it("given a slow-down after a 429, then new runs of that model wait it out and others do not", async () => {
    const gate = new ModelGate(new Map());
    const signal = new AbortController().signal;
    gate.slowDown("gpt-4o", 150);
    const order: string[] = [];
    const t0 = Date.now();
    await Promise.all([
      gate.acquire("gpt-4o", signal).then(() => order.push("gpt-4o")),
      gate.acquire("opus", signal).then(() => order.push("opus")),
    ]);
    assert.deepEqual(order, ["opus", "gpt-4o"], "the other model is admitted first");
    assert.ok(Date.now() - t0 >= 140, `the slowed model waited out its slow-down (${Date.now() - t0} ms)`);
  });
});
