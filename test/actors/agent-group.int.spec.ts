import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ActorProcess } from "../support/index.ts";
import { alive, eventually, groupMembers, groupOf, startStack, type TestStack } from "../support/index.ts";

describe("given a worker running an agent that started a child process of its own", {
  skip: process.platform !== "linux" && "reads /proc",
}, () => {
  let stack: TestStack;
  let worker: ActorProcess;
  let child = -1;
  before(async () => {
    stack = await startStack();
    stack.startOrchestrator();
    worker = stack.startWorker();
  });
  after(async () => {
    if (child > 0 && alive(child)) process.kill(child, "SIGKILL");
    await stack.stop();
  });

  it("when the worker is SIGKILLed, then the agent's whole process group dies with it", async () => {
    await stack.submit({
      spec: "Start a helper and wait.\nFIXTURE: fork-sleep 600\nFIXTURE: hang",
      count: 1,
    });
    // The fixture agent appends "agentPid childPid" once its child (`sleep 600`) runs. The budget
    // includes the orchestrator's and the worker's start: 30 s ran out on a loaded machine.
    const forked = join(stack.dir, "forked");
    let agent = -1;
    await eventually(async () => {
      const [a, c] = (await readFile(forked, "utf8").catch(() => "")).trim().split(" ").map(Number);
      if (!a || !c) return false;
      [agent, child] = [a, c];
      return true;
    }, 60_000);
    assert.ok(alive(child), "the agent's child runs");
    assert.equal(groupOf(child), agent, "the agent leads a process group, and its child is in it");
    assert.notEqual(groupOf(agent), groupOf(worker.pid), "not the worker's group");

    await worker.kill("SIGKILL");
    // Nothing of the agent's may keep running (or spending) for a worker that is gone.
    await eventually(() => !alive(agent) && !alive(child) && groupMembers(agent).length === 0, 30_000);
  });
});
