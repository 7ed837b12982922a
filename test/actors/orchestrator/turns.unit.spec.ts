import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Turns } from "../../../src/actors/orchestrator/turns.ts";

/** A turn that records when it started and ends only when the test says so. */
function turns() {
  const t = new Turns();
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const body = (name: string) => () =>
    new Promise<void>((resolve) => {
      started.push(name);
      finish.set(name, resolve);
    });
  const tick = () => new Promise((r) => setImmediate(r));
  return { t, started, finish, body, tick };
}

describe("given inputs about jobs and inputs that run alone", () => {
  it("when turns are scheduled, then one job's run in order, other jobs' beside them, and an exclusive one alone", async () => {
    const { t, started, finish, body, tick } = turns();
    const a1 = t.keyed("a", body("a1"));
    const b1 = t.keyed("b", body("b1"));
    const a2 = t.keyed("a", body("a2"));
    const x = t.exclusive(body("x"));
    const c1 = t.keyed("c", body("c1"));
    await tick();
    assert.deepEqual(started, ["a1", "b1"], "a2 waits for a1; x waits for all; c1 waits for x");
    finish.get("a1")?.();
    await a1;
    await tick();
    assert.deepEqual(started, ["a1", "b1", "a2"]);
    finish.get("a2")?.();
    await a2;
    await tick();
    assert.deepEqual(started, ["a1", "b1", "a2"], "x still waits for b1");
    finish.get("b1")?.();
    await b1;
    await tick();
    assert.deepEqual(started, ["a1", "b1", "a2", "x"]);
    finish.get("x")?.();
    await x;
    await tick();
    assert.deepEqual(started, ["a1", "b1", "a2", "x", "c1"]);
    finish.get("c1")?.();
    await c1;
  });

  it("when a turn fails, then its promise rejects and later turns of the same job still run", async () => {
    const t = new Turns();
    const failed = t.keyed("a", () => Promise.reject(new Error("boom")));
    let ran = false;
    const next = t.keyed("a", async () => {
      ran = true;
    });
    await assert.rejects(failed, /boom/);
    await next;
    assert.ok(ran);
    await t.exclusive(async () => undefined);
  });
});
