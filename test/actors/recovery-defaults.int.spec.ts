// Recovery with the default settings: a dead worker's task comes back within 10 s (while a live
// worker's long task is never taken from it), a lone orchestrator restarted after a crash leads again
// without waiting out its old lease, and a NATS restart logs nothing at ERROR that is harmless.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { STREAM_WORK, Subjects, workConsumerName } from "../../src/core/events/index.ts";
import { actorsUp } from "../support/actors-up.ts";
import { type ActorProcess, eventually, ofType, startStack, type TestStack } from "../support/index.ts";

const NS_PER_MS = 1_000_000;

describe("given the default work ack wait and two workers", () => {
  let stack: TestStack;
  let workers: ActorProcess[];
  before(async () => {
    // "" leaves AGENTS_WORK_ACK_WAIT_MS to the configuration's default, for the topology too.
    stack = await startStack({ AGENTS_WORK_ACK_WAIT_MS: "", AGENTS_PROGRESS_EVERY_MS: "" });
    const orchestrator = stack.startOrchestrator();
    workers = [stack.startWorker(), stack.startWorker()];
    await actorsUp(orchestrator, ...workers);
  });
  after(() => stack.stop());

  it("when a task runs past twice the ack wait, then it stays with its worker, and when that worker is SIGKILLed another reclaims it", async (t) => {
    await eventually(async () => {
      const c = await stack.jsm.consumers.info(STREAM_WORK, workConsumerName("standard", "normal"));
      return c.config.ack_wait !== 3000 * NS_PER_MS;
    }, 20_000);
    const c = await stack.jsm.consumers.info(STREAM_WORK, workConsumerName("standard", "normal"));
    const ackWaitMs = (c.config.ack_wait ?? 0) / NS_PER_MS;
    t.diagnostic(`default work ack wait: ${ackWaitMs} ms`);
    assert.ok(
      ackWaitMs <= 10_000,
      `a dead worker's task is redelivered within 10 s (ack wait ${ackWaitMs} ms)`,
    );

    const jobId = await stack.submit({
      spec: "Write one line about marathons.\nFIXTURE: sleep 120000",
      count: 1,
    });
    // Long past the ack wait, the task still runs where it started: heartbeats keep it.
    const progressed = await stack.waitFor(
      Subjects.tasks,
      (es) =>
        ofType(es, "task.progress").some(
          (e) => e.event.job_id === jobId && e.event.data.elapsed_ms > 2 * ackWaitMs,
        ),
      60_000,
    );
    const starts = ofType(progressed, "task.started").filter((e) => e.event.job_id === jobId);
    assert.equal(starts.length, 1, "no redelivery while the worker lives");
    const owner = starts[0]?.event.data.worker_id ?? "";
    const victim = workers.find((w) => owner.includes(`-${w.pid}-`));
    assert.ok(victim, "the owner is one of our workers");
    const killedAt = Date.now();
    await victim.kill("SIGKILL");
    const reclaimed = await stack.waitFor(
      Subjects.tasks,
      (es) => ofType(es, "task.started").some((e) => e.event.job_id === jobId && e.event.data.reclaimed),
      30_000,
    );
    t.diagnostic(`reclaimed ${Date.now() - killedAt} ms after the kill (measured, not asserted)`);
    const reclaim = ofType(reclaimed, "task.started").find((e) => e.event.data.reclaimed);
    assert.notEqual(reclaim?.event.data.worker_id, owner);
  });
});

describe("given a lone orchestrator with a one-minute lease", () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack({ AGENTS_ORCHESTRATOR_LEASE_MS: "60000" });
    await actorsUp(stack.startWorker());
  });
  after(() => stack.stop());

  it("when it is SIGKILLed and started again, then it leads again without waiting out its dead lease", async () => {
    const first = stack.startOrchestrator();
    await actorsUp(first);
    await first.kill("SIGKILL");
    const second = stack.startOrchestrator();
    await actorsUp(second);
    // It leads at start, not after the 60 s lease runs out: the holder it finds is a process of
    // this host that is gone (one waiting for the lease logs "orchestrator standing by" first).
    assert.match(second.logs(), /"msg":"orchestrator running"/);
    assert.doesNotMatch(second.logs(), /standing by/);
    const jobId = await stack.submit({ spec: "Write one line about phoenixes.", count: 1 });
    await stack.waitFor(Subjects.job(jobId), (es) => ofType(es, "job.completed").length > 0, 60_000);
  });
});

describe("given a job in progress", () => {
  let stack: TestStack;
  let actors: ActorProcess[];
  before(async () => {
    stack = await startStack({ AGENTS_WORK_ACK_WAIT_MS: "9000" });
    actors = [stack.startOrchestrator(), stack.startWorker(), stack.startWorker()];
    await actorsUp(...actors);
  });
  after(() => stack.stop());

  it("when nats-server restarts, then the job completes and nothing harmless is logged at ERROR", async () => {
    const jobId = await stack.submit({ spec: "Write one line about tides.\nFIXTURE: sleep 1500", count: 6 });
    // Generous: three actor processes start on a shared machine first.
    await stack.waitFor(
      Subjects.tasks,
      (es) => ofType(es, "task.completed").some((e) => e.event.job_id === jobId),
      90_000,
    );
    await stack.nats.restart();
    await stack.waitFor(Subjects.job(jobId), (es) => ofType(es, "job.completed").length > 0, 90_000);
    const errors = actors.flatMap((a) =>
      a
        .logs()
        .split("\n")
        .filter((l) => /"level":(50|60)/.test(l)),
    );
    assert.deepEqual(errors, [], "no ERROR lines");
  });
});
