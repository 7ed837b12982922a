import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { Subjects } from "../../src/core/events/index.ts";
import type { ActorProcess } from "../support/index.ts";
import { alive, eventually, ofType, startStack, type TestStack } from "../support/index.ts";

describe("given two workers running a job whose agents take 8 s", () => {
  let stack: TestStack;
  let workers: ActorProcess[];
  before(async () => {
    stack = await startStack();
    stack.startOrchestrator();
    workers = [stack.startWorker(), stack.startWorker()];
  });
  after(() => stack.stop());

  it("when the worker running a task is SIGKILLed, then the other reclaims it and it completes once", async () => {
    const jobId = await stack.submit({
      spec: "Write one line about crashes.\nFIXTURE: sleep 8000",
      count: 2,
    });
    const firstStart = await stack.waitFor(
      Subjects.tasks,
      (es) => ofType(es, "task.started").some((e) => e.event.job_id === jobId),
      30_000,
    );
    const started = ofType(firstStart, "task.started").find((e) => e.event.job_id === jobId);
    const victimId = started?.event.data.worker_id ?? "";
    const victim = workers.find((w) => victimId.includes(`-${w.pid}-`));
    assert.ok(victim, `worker ${victimId} is one of ours`);
    // task.started is recorded just before the agent is spawned: wait for the agent itself.
    let victimAgents: number[] = [];
    await eventually(async () => {
      victimAgents = await agentsOf(stack, victim.pid);
      return victimAgents.length > 0;
    }, 20_000);
    await victim.kill("SIGKILL");
    // Its agents die with it (parent-death signal), so nothing keeps spending on a lost task.
    await eventually(() => victimAgents.every((pid) => !alive(pid)), 15_000);

    const jobEvents = await stack.waitFor(
      Subjects.job(jobId),
      (es) => ofType(es, "job.completed").length > 0,
      50_000,
    );
    assert.equal(ofType(jobEvents, "job.completed")[0]?.event.data.iterations_passed, 2);

    const all = (await stack.events(Subjects.tasks)).filter((e) => e.event.job_id === jobId);
    const starts = ofType(all, "task.started");
    // Every task the dead worker had started (none can finish in the moment before the kill) was taken
    // over by the other worker.
    const orphaned = new Set(
      starts.filter((s) => s.event.data.worker_id === victimId).map((s) => s.event.task_id),
    );
    assert.ok(orphaned.size > 0, "the killed worker had a task running");
    for (const id of orphaned) {
      const reclaim = starts.find((s) => s.event.task_id === id && s.event.data.reclaimed);
      assert.ok(reclaim, `task ${id} was reclaimed`);
      assert.notEqual(reclaim.event.data.worker_id, victimId, "reclaimed by the surviving worker");
    }
    // Exactly one completion per task.
    const completions = ofType(all, "task.completed").map((e) => e.event.task_id);
    assert.equal(new Set(completions).size, completions.length, "no task completed twice");
    const created = ofType(all, "task.created").map((e) => e.event.task_id);
    assert.deepEqual([...new Set(completions)].sort(), [...created].sort(), "every task completed");
  });
});

/** Pids of fixture agents that are alive now and children of the given worker. */
async function agentsOf(stack: TestStack, workerPid: number): Promise<number[]> {
  const runs = await stack.agentRuns();
  const pids: number[] = [];
  for (const r of runs) {
    const status = await readFile(`/proc/${r.pid}/status`, "utf8").catch(() => "");
    if (new RegExp(`^PPid:\\s+${workerPid}$`, "m").test(status)) pids.push(r.pid);
  }
  return pids;
}
