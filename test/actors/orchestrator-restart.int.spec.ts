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

describe("given a job of five iterations in progress", () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack();
    stack.startWorker();
    stack.startWorker();
  });
  after(() => stack.stop());

  it("when the orchestrator is SIGKILLed mid-decision and restarted, then no task is created twice and the job completes", async (t) => {
    let orchestrator: ActorProcess = stack.startOrchestrator();
    const jobId = await stack.submit({
      spec: "Write one line about restarts.\nFIXTURE: sleep 1500",
      count: 5,
    });
    // Twice: kill it the moment a task completes, while it is recording what follows (critic tasks),
    // so it dies with input delivered but not acknowledged.
    for (let round = 0; round < 2; round++) {
      assert.ok(await nextTaskEvent(stack, "task.completed", 60_000), "a task completed");
      await orchestrator.kill("SIGKILL");
      const c = await stack.jsm.consumers.info("AGENTS", "orchestrator");
      t.diagnostic(
        `kill ${round + 1}: ack floor ${c.ack_floor.stream_seq}, delivered ${c.delivered.stream_seq}, ack pending ${c.num_ack_pending}`,
      );
      // Workers go on while the orchestrator is down; their events wait in the stream.
      await sleep(500);
      orchestrator = stack.startOrchestrator();
      // It takes over once the killed one's lease has not been renewed for its ttl (1.5 s here).
      const restarted = orchestrator;
      await eventually(() => restarted.logs().includes("orchestrator state rebuilt; leading"), 60_000);
    }
    const jobEvents = await stack.waitFor(
      Subjects.job(jobId),
      (es) => ofType(es, "job.completed").length > 0,
      40_000,
    );
    assert.equal(ofType(jobEvents, "job.completed").length, 1, "completed once");
    assert.equal(ofType(jobEvents, "job.completed")[0]?.event.data.iterations_passed, 5);
    const ended = ofType(jobEvents, "job.iteration_ended").map((e) => e.event.data.iteration);
    assert.deepEqual([...ended].sort(), [1, 2, 3, 4, 5], "each iteration ended once");
    assert.equal(ofType(jobEvents, "job.wave_planned").length, 1, "one wave planned");

    const all = (await stack.events(Subjects.tasks)).filter((e) => e.event.job_id === jobId);
    const created = ofType(all, "task.created").map((e) => e.event.task_id ?? "");
    assert.equal(new Set(created).size, created.length, `task ids unique: ${created.join(", ")}`);
    assert.equal(created.length, 10, "five generators and five critics");
    const queued = ofType(all, "task.queued").map((e) => e.event.task_id);
    assert.equal(new Set(queued).size, queued.length, "each task queued once");
    const completions = ofType(all, "task.completed").map((e) => e.event.task_id);
    assert.equal(new Set(completions).size, completions.length, "no task completed twice");
    assert.doesNotMatch(
      orchestrator.logs(),
      /event not applied/,
      "the restarted orchestrator's fold is whole",
    );
  });
});
