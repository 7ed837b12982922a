import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { laneSubject, Subjects } from "../../../src/core/events/index.ts";
import { taskIdFor } from "../../../src/core/ids.ts";
import {
  afterLostRace,
  closeStalled,
  eventsToRedecide,
  findRepairs,
  noteSubjectSeq,
  restoreJob,
} from "../../../src/core/orchestrator/index.ts";
import { evolve, initialState } from "../../../src/core/orchestrator/state.ts";
import type { StoredEvent } from "../../../src/core/ports/event-store.ts";
import { Simulator, TEST_CONFIG } from "./simulator.ts";

const SPEC = "Write one line about repairs.";
const PASS = { compliance: 9, quality: 9 };
const AFTER = 60_000;
const lane = Subjects.work("claude", "standard", "normal");

function stored(sim: Simulator): StoredEvent[] {
  return sim.trace.flatMap((t) =>
    t.kind === "event" ? [{ seq: t.seq, subject: t.subject, event: t.event }] : [],
  );
}

describe("findRepairs: what is stuck", () => {
  it("given a queued task on a lane holding no message, once it has not moved for a while, then it is dispatched again under its own msgID", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    const g = taskIdFor(jobId, 1, "generator", 0);
    const soon = findRepairs(sim.state, {
      now: sim.now + AFTER - 1,
      afterMs: AFTER,
      routes: [],
      laneMessages: new Map(),
    });
    assert.deepEqual(soon, [], "not before it sat still for afterMs");
    const repairs = findRepairs(sim.state, {
      now: sim.now + AFTER,
      afterMs: AFTER,
      routes: [],
      laneMessages: new Map(),
    });
    const seq = sim.task(g).seq;
    // The same item as the first dispatch, less the task.created it carried: the state's copy of
    // the event is not the stored one (it drops attachment text), so a repair names its sequence only.
    const first = sim.dispatches()[0];
    assert.ok(first?.created, "the first dispatch carried its task.created");
    const { created: _carried, ...plain } = first;
    assert.deepEqual(repairs, [
      {
        kind: "redispatch",
        task_id: g,
        command: { kind: "dispatch", item: plain, dedup: `${g}:1:repair:${seq}` },
      },
    ]);
  });

  it("given the lane holds as many messages as tasks that need one, then nothing is dispatched", () => {
    const sim = new Simulator();
    sim.submit({ spec: SPEC, count: 1 });
    const repairs = findRepairs(sim.state, {
      now: sim.now + AFTER,
      afterMs: AFTER,
      routes: [],
      laneMessages: new Map([[lane, 1]]),
    });
    assert.deepEqual(repairs, []);
  });

  it("given a task whose model routes to openai, then its lane is the openai route's: a message on the claude lane does not count, and the repair goes to the openai lane", () => {
    const sim = new Simulator();
    sim.submit({ spec: SPEC, count: 1, model: "gpt-4o" });
    const openaiLane = Subjects.work("openai", "standard", "normal");
    const input = { now: sim.now + AFTER, afterMs: AFTER, routes: [] };
    const held = findRepairs(sim.state, { ...input, laneMessages: new Map([[openaiLane, 1]]) });
    assert.deepEqual(held, [], "its message is on the openai lane");
    const repairs = findRepairs(sim.state, { ...input, laneMessages: new Map([[lane, 1]]) });
    assert.equal(repairs.length, 1, "a claude lane's message is another task's");
    const r = repairs[0];
    assert.ok(r?.kind === "redispatch" && r.command.kind === "dispatch");
    assert.equal(r.command.item.route, "openai");
    assert.equal(laneSubject(r.command.item), openaiLane);
  });

  it("given an emergency stop, then nothing is stuck: it all waits on purpose", () => {
    const sim = new Simulator();
    sim.submit({ spec: SPEC, count: 1 });
    sim.control({ type: "stop", reason: "x" });
    assert.deepEqual(
      findRepairs(sim.state, { now: sim.now + AFTER, afterMs: AFTER, routes: [], laneMessages: new Map() }),
      [],
    );
  });

  it("given a failed task with no retry after it, then its failure is decided again", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    const g = taskIdFor(jobId, 1, "generator", 0);
    // The worker's events, with the orchestrator's decision on the failure lost.
    const state = initialState();
    for (const e of stored(sim)) evolve(state, e.event, e.seq);
    const failing = new Simulator();
    failing.submit({ spec: SPEC, count: 1 });
    failing.fail(g);
    const failed = stored(failing).filter(
      (e) => e.event.type === "task.started" || e.event.type === "task.failed",
    );
    for (const e of failed) evolve(state, e.event, e.seq);
    const now = Date.parse(state.tasks.get(g)?.updated_at ?? "") + AFTER;
    const repairs = findRepairs(state, {
      now,
      afterMs: AFTER,
      routes: [],
      laneMessages: new Map([[lane, 1]]),
    });
    assert.deepEqual(repairs, [{ kind: "redecide_task", task_id: g }]);
  });

  it("given an active job with no live task, once it sat still, then it is decided again; with a live task it is not", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    const live = findRepairs(sim.state, {
      now: sim.now + AFTER,
      afterMs: AFTER,
      routes: [],
      laneMessages: new Map([[lane, 1]]),
    });
    assert.deepEqual(live, [], "its generator is queued: nothing to repair");
    const job = sim.state.jobs.get(jobId);
    assert.ok(job);
    job.live_tasks = 0;
    const stalled = findRepairs(sim.state, {
      now: job.updated_at + AFTER,
      afterMs: AFTER,
      routes: [],
      laneMessages: new Map([[lane, 1]]),
    });
    assert.ok(stalled.some((r) => r.kind === "redecide_job" && r.job_id === jobId));
  });
});

describe("eventsToRedecide and closeStalled: a stalled job", () => {
  /** A job run to its critique, with the orchestrator's decision on the critique lost. */
  function stalledAfterCritique() {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    sim.complete(taskIdFor(jobId, 1, "generator", 0));
    sim.critique(taskIdFor(jobId, 1, "critic", 1), PASS);
    const all = stored(sim);
    const kept = all.filter(
      (e) => e.event.type !== "job.iteration_ended" && e.event.type !== "job.completed",
    );
    const state = initialState();
    for (const e of kept) evolve(state, e.event, e.seq);
    const job = state.jobs.get(jobId);
    assert.ok(job, "the job is open");
    const jobEvents = kept.filter((e) => e.subject === Subjects.job(jobId));
    const lastOfTask = new Map<string, StoredEvent>();
    for (const e of kept)
      if (e.event.task_id && e.subject.startsWith("agents.task.")) lastOfTask.set(e.event.task_id, e);
    return { jobId, state, job, jobEvents, lastOfTask };
  }

  it("given a passed critique that was never decided, then the critique is what is decided again (not the critic's completion, not the generator's)", () => {
    const { state, job, jobEvents, lastOfTask } = stalledAfterCritique();
    const picked = eventsToRedecide(job, state, jobEvents, lastOfTask);
    assert.deepEqual(
      picked.map((e) => e.event.type),
      ["critique.recorded"],
    );
  });

  it("given deciding again moved nothing, then the open iteration ends failed, naming why", () => {
    const { state, job } = stalledAfterCritique();
    const commands = closeStalled(job, state, { now: 0, config: TEST_CONFIG });
    assert.equal(commands.length, 1);
    const c = commands[0];
    assert.ok(c?.kind === "append" && c.event.type === "job.iteration_ended");
    assert.deepEqual(
      [c.event.data.outcome, c.event.data.reason],
      ["failed", "stalled: no task left to finish it"],
    );
  });
});

describe("afterLostRace: an append whose expected sequence was stale", () => {
  const cases: Array<
    [string, { expectedSeq?: number }, { fresh: number; found: number; last: number }, unknown]
  > = [
    [
      "events we had not seen followed",
      { expectedSeq: 5 },
      { fresh: 1, found: 1, last: 9 },
      { kind: "redecide" },
    ],
    [
      "only garbage followed",
      { expectedSeq: 5 },
      { fresh: 0, found: 0, last: 9 },
      { kind: "retry", expectedSeq: 9 },
    ],
    [
      "a create found the subject holding events",
      { expectedSeq: 0 },
      { fresh: 0, found: 3, last: 9 },
      { kind: "exists" },
    ],
    [
      "a create found only garbage",
      { expectedSeq: 0 },
      { fresh: 0, found: 0, last: 2 },
      { kind: "retry", expectedSeq: 2 },
    ],
    [
      "known events followed (our fold refused them)",
      { expectedSeq: 5 },
      { fresh: 0, found: 1, last: 9 },
      { kind: "redecide" },
    ],
  ];
  for (const [name, c, read, want] of cases)
    it(`given ${name}, then ${JSON.stringify(want)}`, () => assert.deepEqual(afterLostRace(c, read), want));

  it("given garbage after a task's last event, then the task expects the subject's real sequence next", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    const g = taskIdFor(jobId, 1, "generator", 0);
    const before = sim.task(g).seq;
    noteSubjectSeq(sim.state, Subjects.task(g), before + 3);
    assert.equal(sim.task(g).seq, before + 3);
    noteSubjectSeq(sim.state, Subjects.task(g), before);
    assert.equal(sim.task(g).seq, before + 3, "never backwards");
  });
});

describe("retry of a dead-lettered task", () => {
  function deadLettered() {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1, max_attempts: 1 });
    const g = taskIdFor(jobId, 1, "generator", 0);
    sim.fail(g);
    return { sim, jobId, g };
  }

  it("given its job completed and was forgotten, when it is restored and the task retried, then the job re-opens, the task is queued and dispatched, and the job completes again", () => {
    const { sim, jobId, g } = deadLettered();
    assert.equal(sim.events("job.completed").length, 1);
    assert.equal(sim.state.jobs.has(jobId), false, "a finished job is forgotten");
    restoreJob(sim.state, jobId, stored(sim));
    sim.control({ type: "retry", task_id: g, reason: "try again" });
    const [reopened] = sim.events("job.reopened");
    assert.deepEqual(reopened?.data, { iteration: 1, task_id: g, reason: "try again", was_completed: true });
    const [requeued] = sim.events("task.requeued");
    assert.deepEqual(requeued?.data, { attempt: 2, reason: "try again" });
    assert.equal(sim.dispatches().at(-1)?.attempt, 2);
    sim.complete(g);
    sim.critique(taskIdFor(jobId, 1, "critic", 1), PASS);
    const done = sim.events("job.completed");
    assert.equal(done.length, 2);
    assert.deepEqual(
      [done[1]?.data.iterations_passed, done[1]?.data.iterations_failed, done[1]?.data.reason],
      [1, 0, "all_done"],
    );
    assert.equal(sim.waves().length, 1, "a re-opened job plans no new wave");
  });

  it("given a task that is not dead-lettered, or a cancelled job, then a retry records nothing", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 2 });
    sim.control({ type: "retry", task_id: taskIdFor(jobId, 1, "generator", 0), reason: "x" });
    assert.deepEqual(sim.events("task.requeued"), []);
    sim.control({ type: "cancel", job_id: jobId, reason: "stop it" });
    sim.control({ type: "retry", task_id: taskIdFor(jobId, 2, "generator", 0), reason: "x" });
    assert.deepEqual(sim.events("task.requeued"), []);
  });
});
