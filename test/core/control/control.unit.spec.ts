import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  decodeControl,
  evolveSystem,
  inForce,
  initialSystem,
  noPending,
  notePending,
  type SystemRecord,
  settlePending,
} from "../../../src/core/control/index.ts";
import { newEvent } from "../../../src/core/events/index.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const at = (iso: string) => Date.parse(iso);

describe("decodeControl: the one rule for every consumer of agents.control.*", () => {
  const cases: Array<[string, string, unknown]> = [
    ["agents.control.stop", '{"reason":"runaway cost"}', { type: "stop", reason: "runaway cost" }],
    ["agents.control.stop", "", { type: "stop", reason: "stop requested" }],
    ["agents.control.resume", "{}", { type: "resume", reason: "resume requested" }],
    ["agents.control.pause", '{"queue":"heavy"}', { type: "pause", queue: "heavy", reason: "paused" }],
    ["agents.control.unpause", '{"queue":"critic"}', { type: "unpause", queue: "critic" }],
    [
      "agents.control.retry",
      '{"task_id":"jX-i1-g"}',
      { type: "retry", task_id: "jX-i1-g", reason: "retry requested" },
    ],
    [
      "agents.control.cancel",
      '{"job_id":"jX"}',
      { type: "cancel", job_id: "jX", reason: "cancel requested" },
    ],
  ];
  for (const [subject, body, want] of cases)
    it(`given ${subject} ${body || "(empty)"}, then it decodes`, () => {
      assert.deepEqual(decodeControl(subject, bytes(body)), { ok: true, value: want });
    });

  const garbage: Array<[string, string, RegExp]> = [
    ["agents.control.stop", "not json", /not JSON/],
    ["agents.control.stop", '{"reason":42}', /reason/],
    ["agents.control.stop", "[1,2]", /object/],
    ["agents.control.resume", '{"reason":"x","extra":true}', /extra/],
    ["agents.control.pause", '{"queue":"nowhere"}', /queue/],
    ["agents.control.retry", '{"task":"x"}', /task/],
    ["agents.control.cancel", '{"job_id":"a","task_id":"b"}', /exactly one/],
    ["agents.control.explode", "{}", /unknown control subject/],
  ];
  for (const [subject, body, why] of garbage)
    it(`given ${subject} ${body}, then it is refused with a reason`, () => {
      const d = decodeControl(subject, bytes(body));
      assert.equal(d.ok, false);
      if (!d.ok) assert.match(d.issues.map((i) => `${i.path} ${i.message}`).join("; "), why);
    });
});

describe("evolveSystem: the recorded system state", () => {
  const ev = (type: "system.stopped" | "system.resumed", reason: string, when: string) =>
    newEvent(type, { reason }, { now: at(when) });

  it("given a stop, a second stop and a resume, then since is the first stop's and resumed says why", () => {
    let s = initialSystem();
    s = evolveSystem(s, ev("system.stopped", "one", "2025-01-01T00:00:00.000Z"), 10);
    s = evolveSystem(s, ev("system.stopped", "two", "2025-01-01T00:01:00.000Z"), 11);
    assert.deepEqual(s.stopped, { reason: "two", since: "2025-01-01T00:00:00.000Z" });
    s = evolveSystem(s, ev("system.resumed", "fixed", "2025-01-01T00:02:00.000Z"), 12);
    assert.equal(s.stopped, null);
    assert.deepEqual(s.resumed, { reason: "fixed", since: "2025-01-01T00:02:00.000Z" });
    assert.equal(s.seq, 12);
  });

  it("given a pause and an unpause, then the queue is paused in between only", () => {
    const paused = evolveSystem(
      initialSystem(),
      newEvent(
        "queue.paused",
        { queue: "heavy", reason: "maintenance" },
        { now: at("2025-01-01T00:00:00.000Z") },
      ),
      3,
    );
    assert.deepEqual(paused.paused, { heavy: { reason: "maintenance", since: "2025-01-01T00:00:00.000Z" } });
    const back = evolveSystem(paused, newEvent("queue.resumed", { queue: "heavy" }, { now: 0 }), 4);
    assert.deepEqual(back.paused, {});
  });

  it("given any other event, then nothing changes", () => {
    const s = initialSystem();
    assert.equal(evolveSystem(s, newEvent("job.cancelled", { reason: "x" }, { now: 0 }), 5), s);
  });
});

describe("inForce: what a worker obeys", () => {
  const stopped: SystemRecord = {
    ...initialSystem(),
    stopped: { reason: "r", since: "2025-01-01T00:00:00.000Z" },
    control_seq: 20,
  };
  const running: SystemRecord = { ...initialSystem(), control_seq: 20 };
  const stop = { type: "stop", reason: "r" } as const;
  const pause = { type: "pause", queue: "heavy", reason: "p" } as const;

  const cases: Array<{
    name: string;
    record: SystemRecord;
    seen: Array<[typeof stop | typeof pause, number]>;
    stopped: boolean;
    paused: string[];
  }> = [
    { name: "a recorded stop", record: stopped, seen: [], stopped: true, paused: [] },
    {
      name: "a valid stop after the record (not decided yet)",
      record: running,
      seen: [[stop, 25]],
      stopped: true,
      paused: [],
    },
    {
      name: "a stop the record has decided (and resumed since)",
      record: running,
      seen: [[stop, 15]],
      stopped: false,
      paused: [],
    },
    {
      name: "a pause after the record",
      record: running,
      seen: [[pause, 21]],
      stopped: false,
      paused: ["heavy"],
    },
    { name: "nothing", record: running, seen: [], stopped: false, paused: [] },
  ];
  for (const c of cases)
    it(`given ${c.name}, then stopped is ${c.stopped} and paused is [${c.paused}]`, () => {
      const pending = c.seen.reduce((p, [cmd, seq]) => notePending(p, cmd, seq), noPending());
      const f = inForce(c.record, pending);
      assert.equal(f.stopped, c.stopped);
      assert.deepEqual([...f.paused], c.paused);
    });

  it("given a resume or unpause seen before it is recorded, then it changes nothing", () => {
    const pending = notePending(
      notePending(noPending(), { type: "resume", reason: "r" }, 30),
      { type: "unpause", queue: "heavy" },
      31,
    );
    const paused: SystemRecord = {
      ...stopped,
      paused: { heavy: { reason: "p", since: "2025-01-01T00:00:00.000Z" } },
    };
    const f = inForce(paused, pending);
    assert.equal(f.stopped, true);
    assert.deepEqual([...f.paused], ["heavy"]);
  });

  it("given a record that decided a pending stop, then settling drops it", () => {
    const pending = notePending(noPending(), stop, 25);
    assert.deepEqual(settlePending(pending, { ...running, control_seq: 25 }).stops, []);
    assert.deepEqual(settlePending(pending, { ...running, control_seq: 24 }).stops, [25]);
  });
});
