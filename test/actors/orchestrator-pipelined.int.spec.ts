import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Subjects } from "../../src/core/events/index.ts";
import {
  type ActorProcess,
  eventually,
  nextTaskEvent,
  ofType,
  startStack,
  type TestStack,
} from "../support/index.ts";

const JOBS = 4;
const COUNT = 4;

describe("given several jobs submitted at once, each planning a wave of several tasks", () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack();
    stack.startWorker();
    stack.startWorker();
  });
  after(() => stack.stop());

  it("when the orchestrator is SIGKILLed while a wave's appends are in flight and restarted, then every task is created, queued and started once and every job completes once", async (t) => {
    let orchestrator: ActorProcess = stack.startOrchestrator();
    const created = nextTaskEvent(stack, "task.created", 60_000);
    // The orchestrator handles these jobs side by side, and each wave's task.created go out together.
    const jobIds = await Promise.all(
      Array.from({ length: JOBS }, (_, i) =>
        stack.submit({ spec: `Write line ${i} about pipelines.\nFIXTURE: sleep 300`, count: COUNT }),
      ),
    );
    assert.ok(await created, "a task was created");
    await orchestrator.kill("SIGKILL");
    const c = await stack.jsm.consumers.info("AGENTS", "orchestrator");
    t.diagnostic(
      `killed: ack floor ${c.ack_floor.stream_seq}, delivered ${c.delivered.stream_seq}, ack pending ${c.num_ack_pending}`,
    );
    await sleep(500);
    orchestrator = stack.startOrchestrator();
    const restarted = orchestrator;
    await eventually(() => restarted.logs().includes("orchestrator state rebuilt; leading"), 60_000);

    for (const jobId of jobIds) {
      const jobEvents = await stack.waitFor(
        Subjects.job(jobId),
        (es) => ofType(es, "job.completed").length > 0,
        60_000,
      );
      assert.equal(ofType(jobEvents, "job.completed").length, 1, `${jobId} completed once`);
      assert.equal(ofType(jobEvents, "job.completed")[0]?.event.data.iterations_passed, COUNT);
      assert.equal(ofType(jobEvents, "job.wave_planned").length, 1, `${jobId}: one wave planned`);
    }
    // Read once every job is done: nothing more is appended to their tasks.
    const all = await stack.events(Subjects.tasks);
    for (const jobId of jobIds) {
      const mine = all.filter((e) => e.event.job_id === jobId);
      const ids = (type: Parameters<typeof ofType>[1]) =>
        ofType(mine, type).map((e) => e.event.task_id ?? "");
      const createdIds = ids("task.created");
      assert.equal(createdIds.length, 2 * COUNT, `${jobId}: a generator and a critic per iteration`);
      assert.equal(new Set(createdIds).size, createdIds.length, `${jobId}: no task created twice`);
      for (const type of ["task.queued", "task.started", "task.completed"] as const) {
        const seen = ids(type);
        assert.deepEqual([...new Set(seen)].sort(), [...createdIds].sort(), `${jobId}: each task ${type}`);
        assert.equal(seen.length, createdIds.length, `${jobId}: no task ${type} twice`);
      }
    }
    assert.doesNotMatch(
      orchestrator.logs(),
      /event not applied/,
      "the restarted orchestrator's fold is whole",
    );
  });
});
