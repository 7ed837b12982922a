// A replay from a snapshot gives the same state as a full fold: the recorded v1 stream
// (test/fixtures/streams) folded straight through, and folded to every sequence, written as a
// snapshot (to JSON text and back), and folded on from there.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { AgentEvent as Event } from "../../../src/core/events/index.ts";
import { AgentEvent, decodeWith, isCommandSubject, misplaced } from "../../../src/core/events/index.ts";
import { taskIdFor } from "../../../src/core/ids.ts";
import { evolve, initialState, type OrchestratorState } from "../../../src/core/orchestrator/index.ts";
import { decodeState, encodeState, STATE_SNAPSHOT_VERSION } from "../../../src/core/orchestrator/snapshot.ts";
import { restoreJob } from "../../../src/core/orchestrator/state.ts";
import { type RecordedMessage, readJsonLines, STREAM_FILES } from "../../fixtures/streams/recorded.ts";
import { Simulator } from "./simulator.ts";

const encoder = new TextEncoder();
type Stored = { seq: number; event: Event };

/** What the orchestrator folds: valid events in their place (as src/actors/orchestrator/snapshots.ts). */
function foldable(recorded: RecordedMessage[]): Stored[] {
  const out: Stored[] = [];
  for (const m of recorded) {
    if (isCommandSubject(m.subject)) continue;
    const d = decodeWith(AgentEvent, encoder.encode(m.payload));
    if (d.ok && !misplaced(m.subject, d.value)) out.push({ seq: m.seq, event: d.value });
  }
  return out;
}

function fold(state: OrchestratorState, events: Stored[]): OrchestratorState {
  for (const e of events) {
    try {
      evolve(state, e.event, e.seq);
    } catch {
      // refused events are logged and skipped by the orchestrator
    }
  }
  return state;
}

/** Through a snapshot's stored form: JSON text, parsed and decoded again. */
function roundTrip(state: OrchestratorState): OrchestratorState {
  const decoded = decodeState(JSON.parse(JSON.stringify(encodeState(state))));
  assert.ok(decoded.ok, decoded.ok ? "" : decoded.reason);
  return decoded.state;
}

/** The state as JSON text with sorted keys: a decoded body lists an event's fields in schema order. */
const text = (s: OrchestratorState) => JSON.stringify(sorted(encodeState(s)));
function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (v === null || typeof v !== "object") return v;
  return Object.fromEntries(
    Object.entries(v)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, x]) => [k, sorted(x)]),
  );
}

/**
 * Fold `events` to every k, read that state back through a snapshot and fold on: each end state must
 * equal the full fold. Returns how many snapshots held a job in progress.
 */
function everySnapshotFoldsToTheEnd(events: Stored[]): number {
  const full = text(fold(initialState(), events));
  let live = initialState();
  let nonEmpty = 0;
  for (let k = 0; k <= events.length; k++) {
    // The live fold to k, and its snapshot read back: the same state.
    if (k > 0) live = fold(live, events.slice(k - 1, k));
    const restored = roundTrip(live);
    assert.equal(text(restored), text(live), `snapshot at event ${k} reads back as it was`);
    if (restored.jobs.size > 0) nonEmpty++;
    assert.equal(text(fold(restored, events.slice(k))), full, `snapshot at event ${k} then the tail`);
  }
  return nonEmpty;
}

describe("given the recorded v1 stream and the orchestrator's fold", () => {
  let events: Stored[];
  before(async () => {
    events = foldable(await readJsonLines<RecordedMessage>(STREAM_FILES.messages));
  });

  it("when it is folded to each sequence, snapshotted and folded on, then every end state equals the full fold", () => {
    assert.ok(events.length > 100, `${events.length} events`);
    const nonEmpty = everySnapshotFoldsToTheEnd(events);
    assert.ok(nonEmpty > 50, `snapshots taken with jobs in progress: ${nonEmpty}`);
  });

  it("when a snapshot is taken mid-job, then its maps and sets come back as maps and sets", () => {
    const mid = fold(initialState(), events.slice(0, Math.floor(events.length / 2)));
    const restored = roundTrip(mid);
    const job = [...restored.jobs.values()][0];
    assert.ok(job, "a job in progress");
    assert.ok(job.iterations instanceof Map && job.task_ids instanceof Set);
    assert.ok(restored.tasks.size > 0);
  });

  it("when a stored body has another shape, then it is refused with a reason (the fold then runs from the stream)", () => {
    const body = JSON.parse(JSON.stringify(encodeState(fold(initialState(), events.slice(0, 40)))));
    body.jobs[0].iterations = {}; // an older shape: iterations as an object
    const refused = decodeState(body);
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? "" : refused.reason, new RegExp(`version ${STATE_SNAPSHOT_VERSION}`));
    assert.equal(decodeState({ jobs: [] }).ok, false, "missing fields");
  });
});

describe("given a stream with an emergency stop, a resume and retries of dead-lettered tasks", () => {
  const SPEC = "Write one line about snapshots.";
  const PASS = { compliance: 9, quality: 9 };

  /** Stored events of the pure decide/evolve loop (test/core/orchestrator/simulator.ts). */
  function scenario(): Stored[] {
    const sim = new Simulator();
    // A job whose dead-lettered task is retried while its other task still runs (the job stays known).
    const open = sim.submit({ spec: SPEC, count: 2, max_attempts: 1 }, "open");
    const [a1, a2] = [taskIdFor(open, 1, "generator", 0), taskIdFor(open, 2, "generator", 0)];
    sim.control({ type: "stop", reason: "runaway cost" });
    sim.fail(a1);
    sim.control({ type: "pause", queue: "heavy", reason: "provider outage" });
    sim.control({ type: "resume", reason: "cost understood" });
    sim.control({ type: "retry", task_id: a1, reason: "try again" });
    sim.complete(a1);
    sim.critique(taskIdFor(open, 1, "critic", 1), PASS);
    // A job that completed (and was forgotten) before its task was retried: the live orchestrator
    // brings it back from the stream first, as orchestrator.ts does for a retry.
    const done = sim.submit({ spec: SPEC, count: 1, max_attempts: 1 }, "done");
    const b1 = taskIdFor(done, 1, "generator", 0);
    sim.fail(b1);
    const stored = sim.trace.flatMap((t) => (t.kind === "event" ? [{ seq: t.seq, event: t.event }] : []));
    restoreJob(sim.state, done, stored);
    sim.control({ type: "retry", task_id: b1, reason: "the provider is back" });
    sim.complete(b1);
    sim.complete(a2);
    sim.critique(taskIdFor(open, 2, "critic", 1), PASS);
    return sim.trace.flatMap((t) => (t.kind === "event" ? [{ seq: t.seq, event: t.event }] : []));
  }

  it("when it is folded to each sequence, snapshotted and folded on, then every end state equals the full fold", () => {
    const events = scenario();
    const types = new Set(events.map((e) => e.event.type));
    for (const t of [
      "system.stopped",
      "system.resumed",
      "queue.paused",
      "task.dead_lettered",
      "task.requeued",
    ])
      assert.ok(types.has(t as Event["type"]), `the scenario records ${t}`);
    assert.ok(everySnapshotFoldsToTheEnd(events) > 10);
  });

  it("when a snapshot is taken while stopped with a queue paused, then the stop and the pause come back with their reasons", () => {
    const events = scenario();
    const stopAt = events.findIndex((e) => e.event.type === "system.stopped");
    const pauseAt = events.findIndex((e) => e.event.type === "queue.paused");
    const restored = roundTrip(fold(initialState(), events.slice(0, pauseAt + 1)));
    assert.equal(restored.system.stopped?.reason, "runaway cost");
    assert.equal(restored.system.paused.heavy?.reason, "provider outage");
    assert.equal(restored.system.seq, events[pauseAt]?.seq);
    assert.ok(stopAt < pauseAt);
    const job = [...restored.jobs.values()][0];
    assert.ok(job && typeof job.updated_at === "number" && job.updated_at > 0, "a job's last change");
  });
});
