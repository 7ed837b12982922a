import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sendAll } from "../../../src/actors/orchestrator/pipeline.ts";
import { newEvent, type WorkItem } from "../../../src/core/events/index.ts";
import type { Command } from "../../../src/core/orchestrator/index.ts";

const append = (subject: string, n: number): Command => ({
  kind: "append",
  subject,
  event: newEvent("job.accepted" as const, {} as never, { id: `e${n}`, now: 0 }),
});
const dispatch: Command = {
  kind: "dispatch",
  item: { task_id: "t", job_id: "j", queue: "standard", band: "normal", priority: 0, attempt: 1 } as WorkItem,
};

/** A send that records when each command started and ends only when the test says so. */
function gate() {
  const started: Command[] = [];
  const open = new Map<Command, { resolve: () => void; reject: (e: Error) => void }>();
  const send = (c: Command) =>
    new Promise<string>((resolve, reject) => {
      started.push(c);
      open.set(c, { resolve: () => resolve(c.kind === "append" ? c.event.id : "work"), reject });
    });
  const tick = () => new Promise((r) => setImmediate(r));
  return { started, open, send, tick };
}

describe("given one decision's commands", () => {
  it("when sent, then appends on different subjects and work items are in flight together, one subject's one after another", async () => {
    const a1 = append("agents.task.a", 1);
    const b1 = append("agents.task.b", 2);
    const a2 = append("agents.task.a", 3);
    const g = gate();
    const done = sendAll([a1, b1, a2, dispatch], g.send);
    await g.tick();
    assert.deepEqual(g.started, [a1, b1, dispatch], "a2 waits for a1 to be stored");
    g.open.get(b1)?.resolve();
    g.open.get(dispatch)?.resolve();
    await g.tick();
    assert.equal(g.started.length, 3, "a2 still waits for a1");
    g.open.get(a1)?.resolve();
    await g.tick();
    assert.deepEqual(g.started, [a1, b1, dispatch, a2]);
    g.open.get(a2)?.resolve();
    assert.deepEqual(
      (await done).map((s) => (s.kind === "done" ? s.result : s.kind)),
      ["e1", "e2", "e3", "work"],
      "outcomes in the commands' order",
    );
  });

  it("when an append fails, then the rest of its subject is not sent and the other subjects go on", async () => {
    const a1 = append("agents.task.a", 1);
    const a2 = append("agents.task.a", 2);
    const b1 = append("agents.task.b", 3);
    const g = gate();
    const done = sendAll([a1, a2, b1], g.send);
    await g.tick();
    g.open.get(a1)?.reject(new Error("lost its race"));
    g.open.get(b1)?.resolve();
    const out = await done;
    assert.deepEqual(
      out.map((s) => s.kind),
      ["failed", "blocked", "done"],
    );
    assert.ok(!g.started.includes(a2), "a2 never went out");
  });

  it("when there are more subjects than may be in flight, then at most that many are sent at once", async () => {
    const commands = Array.from({ length: 5 }, (_, i) => append(`agents.task.t${i}`, i));
    const g = gate();
    const done = sendAll(commands, g.send, 2);
    await g.tick();
    assert.equal(g.started.length, 2);
    for (const c of commands) {
      await g.tick();
      g.open.get(c)?.resolve();
    }
    await g.tick();
    for (const c of commands) g.open.get(c)?.resolve();
    assert.equal((await done).filter((s) => s.kind === "done").length, 5);
  });
});
