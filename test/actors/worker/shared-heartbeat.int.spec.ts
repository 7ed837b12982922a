// One worker runs many agents at once on a single heartbeat (src/actors/worker/heartbeat.ts) and a
// single control subscription: every running task's work message must still be extended (else the
// server redelivers it after the ack wait, and the idle second worker started beside it takes it
// and starts the task a second time, "reclaimed"), and a cancel naming one task must stop that
// agent and no other.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Subjects } from "../../../src/core/events/index.ts";
import { taskTypeFromId } from "../../../src/core/ids.ts";
import type { StoredEvent } from "../../../src/core/ports/event-store.ts";
import { actorsUp } from "../../support/actors-up.ts";
import { alive, ofType, startStack, type TestStack } from "../../support/index.ts";

const JOBS = 6;
/** Each agent runs five times the stack's 3 s ack wait: unextended, its message comes back. */
const AGENT_MS = 15_000;

describe("given one worker running six agents at once, each for five times the work ack wait, and an idle second worker", () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack();
    await actorsUp(stack.startOrchestrator());
    await actorsUp(stack.startWorker({ AGENTS_WORKER_CONCURRENCY: "8" }));
  });
  after(() => stack.stop());

  it("when one task is cancelled by its id, then only its agent stops, and every other task runs once to completion on the shared heartbeat", async (t) => {
    const jobs: string[] = [];
    for (let i = 1; i <= JOBS; i++)
      jobs.push(
        await stack.submit({ spec: `Write line ${i} of six.\nFIXTURE: sleep ${AGENT_MS}`, count: 1 }),
      );
    const generators = (es: StoredEvent[]) =>
      es.filter(
        (e) => jobs.includes(e.event.job_id ?? "") && taskTypeFromId(e.event.task_id ?? "") === "generator",
      );
    const started = ofType(
      generators(
        await stack.waitFor(
          Subjects.tasks,
          (es) => ofType(generators(es), "task.started").length >= JOBS,
          30_000,
        ),
      ),
      "task.started",
    );
    assert.equal(new Set(started.map((e) => e.event.data.worker_id)).size, 1, "all six on one worker");
    // A spare with free slots: a message whose ack wait lapsed would be redelivered to it.
    await actorsUp(stack.startWorker({ AGENTS_WORKER_CONCURRENCY: "8" }));
    // The last one started: surely still running when the cancel arrives.
    const victim = started.at(-1)?.event;
    assert.ok(victim?.task_id && victim.job_id);
    const victimLine = `line ${jobs.indexOf(victim.job_id) + 1} of six`;
    // task.started is recorded before the agent is spawned: wait for its run to be logged.
    let victimRun: { pid: number } | undefined;
    for (const by = Date.now() + 30_000; !victimRun && Date.now() < by; await sleep(100))
      victimRun = (await stack.agentRuns()).find((r) => r.prompt.includes(victimLine));
    assert.ok(victimRun && alive(victimRun.pid), "the victim's agent is running");

    const cancelledAt = Date.now();
    stack.nc.publish(Subjects.controlCancel, JSON.stringify({ task_id: victim.task_id }));
    while (alive(victimRun.pid) && Date.now() - cancelledAt < 20_000) await sleep(50);
    t.diagnostic(`victim's agent gone ${Date.now() - cancelledAt} ms after the cancel`);
    assert.ok(!alive(victimRun.pid), "the cancelled task's agent was stopped");

    const outcome = (e: StoredEvent) =>
      e.event.type === "task.completed" ||
      e.event.type === "task.cancelled" ||
      e.event.type === "task.failed";
    const all = generators(
      await stack.waitFor(
        Subjects.tasks,
        (es) => generators(es).filter(outcome).length >= JOBS,
        AGENT_MS + 45_000,
      ),
    );
    for (const job of jobs) {
      const mine = all.filter((e) => e.event.job_id === job);
      const id = mine[0]?.event.task_id;
      assert.equal(
        ofType(mine, "task.started").length,
        1,
        `${id} started once: never redelivered, reclaimed`,
      );
      const end = mine.filter(outcome).map((e) => e.event.type);
      if (id === victim.task_id) {
        assert.deepEqual(end, ["task.cancelled"], "the named task ends cancelled");
        continue;
      }
      assert.deepEqual(end, ["task.completed"], `${id}, not named by the cancel, completes`);
      assert.ok(ofType(mine, "task.progress").length >= 1, `${id}: the heartbeat recorded its progress`);
    }
  });
});
