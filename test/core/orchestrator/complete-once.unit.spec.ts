// A job's wave and completion decisions expect the job subject's last sequence, so a state that
// missed a job event (a new tenure folded only to the ack floor, before a job.completed the last
// tenure stored) cannot store the completion a second time: its append loses the race instead.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Subjects } from "../../../src/core/events/index.ts";
import { taskIdFor } from "../../../src/core/ids.ts";
import { decide } from "../../../src/core/orchestrator/decide.ts";
import { evolve, initialState } from "../../../src/core/orchestrator/state.ts";
import { Simulator, TEST_CONFIG } from "./simulator.ts";

describe("decide: completing a job", () => {
  it("given a job completed once, when a state folded without its last job events decides on iteration_ended again, then job.completed expects the seq it saw and loses to the stored one", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: "Write one line about tenures.", count: 1 });
    sim.complete(taskIdFor(jobId, 1, "generator", 0));
    sim.critique(taskIdFor(jobId, 1, "critic", 1), { compliance: 9, quality: 9 });
    const [ended] = sim.events("job.iteration_ended");
    const [completed] = sim.events("job.completed");
    assert.ok(ended && completed && ended.seq < completed.seq);

    // A new tenure: every event but the job's last two folded (the critic's completion included),
    // then the iteration_ended consumed again, as it came back past the ack floor.
    const state = initialState();
    for (const t of sim.trace)
      if (t.kind === "event" && t.seq !== ended.seq && t.seq !== completed.seq) evolve(state, t.event, t.seq);
    evolve(state, ended, ended.seq);
    const commands = decide(
      state,
      { kind: "event", seq: ended.seq, event: ended },
      { now: sim.now, config: TEST_CONFIG },
    );
    const again = commands.find((c) => c.kind === "append" && c.event.type === "job.completed");
    assert.ok(again && again.kind === "append", "the job looks done to this state");
    assert.equal(again.subject, Subjects.job(jobId));
    assert.notEqual(again.event.id, completed.id, "another cause, so another id: dedup would not catch it");
    assert.equal(again.expectedSeq, ended.seq, "it expects the last job event it saw");
    assert.ok((again.expectedSeq ?? 0) < completed.seq, "so JetStream refuses it: the subject moved on");
  });

  it("given a job's next wave, then job.wave_planned expects the job subject's last sequence too", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: "Write one line about waves.", count: 6 });
    // The first wave (1-5) rode on job.submitted; the second is planned once the first ended.
    for (let n = 1; n <= 5; n++) {
      sim.complete(taskIdFor(jobId, n, "generator", 0));
      sim.critique(taskIdFor(jobId, n, "critic", 1), { compliance: 9, quality: 9 });
    }
    const ends = sim.events("job.iteration_ended");
    const last = ends.at(-1);
    const [planned] = sim.events("job.wave_planned");
    assert.ok(last && planned && planned.seq > last.seq);
    const state = initialState();
    for (const t of sim.trace) if (t.kind === "event" && t.seq < planned.seq) evolve(state, t.event, t.seq);
    const input = sim.trace.filter((t) => t.kind === "event" && t.seq < planned.seq).at(-1);
    assert.ok(input && input.kind === "event");
    const commands = decide(
      state,
      { kind: "event", seq: input.seq, event: input.event },
      { now: sim.now, config: TEST_CONFIG },
    );
    const plan = commands.find((c) => c.kind === "append" && c.event.type === "job.wave_planned");
    assert.ok(plan && plan.kind === "append");
    assert.equal(plan.expectedSeq, state.jobs.get(jobId)?.seq);
    assert.equal(plan.expectedSeq, last.seq, "the job subject's last event: the last iteration's end");
    assert.equal(plan.subject, Subjects.job(jobId));
  });
});
