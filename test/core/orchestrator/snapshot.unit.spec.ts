// A replay from a snapshot gives the same state as a full fold: the recorded v1 stream
// (test/fixtures/streams) folded straight through, and folded to every sequence, written as a
// snapshot (to JSON text and back), and folded on from there.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { AgentEvent as Event } from "../../../src/core/events/index.ts";
import { AgentEvent, decodeWith, isCommandSubject, misplaced } from "../../../src/core/events/index.ts";
import { evolve, initialState, type OrchestratorState } from "../../../src/core/orchestrator/index.ts";
import { decodeState, encodeState, STATE_SNAPSHOT_VERSION } from "../../../src/core/orchestrator/snapshot.ts";
import { type RecordedMessage, readJsonLines, STREAM_FILES } from "../../fixtures/streams/recorded.ts";

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

const text = (s: OrchestratorState) => JSON.stringify(encodeState(s));

describe("given the recorded v1 stream and the orchestrator's fold", () => {
  let events: Stored[];
  before(async () => {
    events = foldable(await readJsonLines<RecordedMessage>(STREAM_FILES.messages));
  });

  it("when it is folded to each sequence, snapshotted and folded on, then every end state equals the full fold", () => {
    assert.ok(events.length > 100, `${events.length} events`);
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
    assert.ok(nonEmpty > 50, `snapshots taken with jobs in progress: ${nonEmpty}`);
  });

  it("when a snapshot is taken mid-job, then its maps and sets come back as maps and sets", () => {
    const mid = fold(initialState(), events.slice(0, Math.floor(events.length / 2)));
    const restored = roundTrip(mid);
    const job = [...restored.jobs.values()][0];
    assert.ok(job, "a job in progress");
    assert.ok(job.iterations instanceof Map && job.task_ids instanceof Set);
    assert.ok(restored.tasks.size > 0 && restored.paused instanceof Set);
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
