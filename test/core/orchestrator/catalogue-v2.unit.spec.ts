// The catalogue-v2 decisions: a job opened on job.submitted, a task created queued and dispatched
// on its own task.created; and the v1 forms of both (a stream written before the upgrade, read
// mid-flight) still decided as v1 decided them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type AgentEvent, newEvent } from "../../../src/core/events/index.ts";
import { taskIdFor } from "../../../src/core/ids.ts";
import { TaskStatus } from "../../../src/core/lifecycle/index.ts";
import { decide } from "../../../src/core/orchestrator/decide.ts";
import { evolve, initialState } from "../../../src/core/orchestrator/state.ts";
import { Simulator, TEST_CONFIG } from "./simulator.ts";

const SPEC = "Write one line about upgrades.";
const ctx = (now: number) => ({ now, config: TEST_CONFIG });

/** A fresh state folded from `events` (stream order), and the decision on the last of them. */
function decideLast(events: readonly AgentEvent[]) {
  const state = initialState();
  events.forEach((e, i) => {
    evolve(state, e, i + 1);
  });
  const last = events.at(-1) as AgentEvent;
  return { state, commands: decide(state, { kind: "event", seq: events.length, event: last }, ctx(0)) };
}

describe("catalogue v2 decisions", () => {
  it("given a v2 task.created handled again (a restart), when its task is still queued, then it is dispatched again and no task.queued is appended", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    const g = taskIdFor(jobId, 1, "generator", 0);
    const events = sim.trace.flatMap((t) => (t.kind === "event" ? [t.event] : []));
    const { state, commands } = decideLast(events);
    assert.equal(state.tasks.get(g)?.status, TaskStatus.Queued);
    assert.deepEqual(
      commands.map((c) =>
        c.kind === "dispatch" ? ["dispatch", c.item.task_id, c.item.attempt] : [c.event.type],
      ),
      [["dispatch", g, 1]],
    );
  });

  it("given a v2 task.created handled again after its task started, then nothing is decided", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    const g = taskIdFor(jobId, 1, "generator", 0);
    sim.start(g);
    const state = initialState();
    for (const t of sim.trace) if (t.kind === "event") evolve(state, t.event, t.seq);
    const [created] = sim.events("task.created");
    assert.ok(created);
    assert.deepEqual(decide(state, { kind: "event", seq: created.seq, event: created }, ctx(0)), []);
  });

  it("given a v1 task.created (pending, written before the upgrade), then it gets its task.queued, and the dispatch follows that", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    const events = sim.trace.flatMap((t) => (t.kind === "event" ? [t.event] : []));
    const last = events.at(-1);
    assert.ok(last?.type === "task.created" && last.data.queued);
    const { queued: _q, ...v1data } = last.data;
    const v1 = { ...last, schema_version: 1, data: v1data } as AgentEvent;
    const { state, commands } = decideLast([...events.slice(0, -1), v1]);
    const g = taskIdFor(jobId, 1, "generator", 0);
    assert.equal(state.tasks.get(g)?.status, TaskStatus.Pending);
    const [queued] = commands;
    assert.ok(queued?.kind === "append" && queued.event.type === "task.queued");
    assert.deepEqual(queued.event.data, { attempt: 1, queue: "standard", band: "normal", priority: 999 });
    assert.equal(queued.expectedSeq, events.length, "it expects the task.created's sequence");
    evolve(state, queued.event, events.length + 1);
    const next = decide(state, { kind: "event", seq: events.length + 1, event: queued.event }, ctx(0));
    assert.deepEqual(
      next.map((c) => c.kind),
      ["dispatch"],
    );
  });

  it("given a v1 job.submitted (no acceptance on it), then job.accepted is appended and its echo plans the wave as job.wave_planned", () => {
    const sim = new Simulator();
    sim.submit({ spec: SPEC, count: 2 });
    const [submitted] = sim.events("job.submitted");
    assert.ok(submitted?.data.accepted && submitted.data.wave);
    const { accepted, wave: _w, ...v1data } = submitted.data;
    const v1 = { ...submitted, schema_version: 1, data: v1data } as AgentEvent;
    const { state, commands } = decideLast([v1]);
    const [acc] = commands;
    assert.ok(acc?.kind === "append" && acc.event.type === "job.accepted");
    assert.deepEqual(acc.event.data, accepted, "the same acceptance v2 puts on job.submitted");
    evolve(state, acc.event, 2);
    const plan = decide(state, { kind: "event", seq: 2, event: acc.event }, ctx(0));
    assert.deepEqual(
      plan.map((c) => (c.kind === "append" ? [c.event.type, c.expectedSeq] : [c.kind])),
      [["job.wave_planned", 2]],
    );
  });

  it("given a submission while stopped, then job.submitted carries the acceptance but no wave, and the resume plans it as job.wave_planned", () => {
    const sim = new Simulator();
    sim.control({ type: "stop", reason: "test" });
    const jobId = sim.submit({ spec: SPEC, count: 2 });
    const [submitted] = sim.events("job.submitted");
    assert.ok(submitted?.data.accepted);
    assert.equal(submitted.data.wave, undefined);
    assert.deepEqual(sim.events("task.created"), []);
    sim.control({ type: "resume", reason: "test" });
    assert.deepEqual(
      sim.events("job.wave_planned").map((w) => w.data),
      [{ wave: 1, iterations: [1, 2] }],
    );
    assert.deepEqual(
      sim
        .dispatches()
        .map((d) => d.task_id)
        .sort(),
      [taskIdFor(jobId, 1, "generator", 0), taskIdFor(jobId, 2, "generator", 0)].sort(),
    );
  });

  it("given a v2 job.submitted handled again (a restart), then only the generators not yet created are created", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 2 });
    const [submitted, ...rest] = sim.trace.flatMap((t) => (t.kind === "event" ? [t] : []));
    assert.ok(submitted && submitted.event.type === "job.submitted");
    // The state saw job.submitted and the first generator's task.created only.
    const state = initialState();
    evolve(state, submitted.event, submitted.seq);
    const first = rest.find((t) => t.event.task_id === taskIdFor(jobId, 1, "generator", 0));
    assert.ok(first);
    evolve(state, first.event, first.seq);
    const commands = decide(state, { kind: "event", seq: submitted.seq, event: submitted.event }, ctx(0));
    assert.deepEqual(
      commands.map((c) => (c.kind === "append" ? [c.event.type, c.event.task_id, c.expectedSeq] : [c.kind])),
      [["task.created", taskIdFor(jobId, 2, "generator", 0), 0]],
    );
  });

  it("given a new task, then its task.created is v2: schema_version 2 and queued for attempt 1 with its own queue, band and priority", () => {
    const sim = new Simulator();
    sim.submit({ spec: SPEC, count: 1, priority: 300 });
    const [created] = sim.events("task.created");
    assert.equal(created?.schema_version, 2);
    assert.deepEqual(created?.data.queued, {
      attempt: 1,
      queue: created?.data.queue,
      band: created?.data.band,
      priority: created?.data.priority,
    });
    assert.equal(created?.data.band, "high");
    // Only the v2 forms are written as version 2: every other event stays as v1 readers know it.
    assert.equal(sim.events("job.submitted")[0]?.schema_version, 2);
    assert.equal(newEvent("job.cancelled", { reason: "x" }, { now: 0 }).schema_version, 1);
    assert.ok(sim.events("task.started").every((e) => e.schema_version === 1));
  });
});
