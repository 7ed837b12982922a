// The event store contract: what every adapter of the EventStore port does the same way. Run
// against the in-memory store (memory-event-store.unit.spec.ts) and JetStream on a real nats-server
// (test/nats/event-store.int.spec.ts).
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { ConcurrencyError } from "../../../src/core/errors.ts";
import { type AgentEventType, Subjects } from "../../../src/core/events/index.ts";
import type { EventStore, StoredEvent } from "../../../src/core/ports/event-store.ts";
import { exampleEvent } from "../events/examples.ts";

export type OpenStore = () => Promise<{ store: EventStore; close(): Promise<void> }>;

const taskEvent = (type: AgentEventType, task: string, id = `${task}-${type}`) =>
  exampleEvent(type, {}, { id, task_id: task, job_id: "job-c" });

async function all(it: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

/** Register the contract's tests for one adapter; `open` gives a fresh, empty store each time. */
export function eventStoreContract(name: string, open: OpenStore): void {
  describe(`the ${name} event store`, () => {
    let store: EventStore;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(() => close());

    it("given an empty subject, when appended expecting 0 twice, then the first lands and the second is a ConcurrencyError", async () => {
      const subject = Subjects.task("t1");
      const first = await store.append(subject, taskEvent("task.created", "t1"), { expectedSeq: 0 });
      assert.equal(first.duplicate, false);
      assert.ok(first.seq > 0);
      await assert.rejects(
        store.append(subject, taskEvent("task.queued", "t1"), { expectedSeq: 0 }),
        (err: unknown) =>
          err instanceof ConcurrencyError && err.subject === subject && err.expectedSequence === 0,
      );
    });

    it("given appends expecting the subject's last sequence, then each lands and a stale expectation fails", async () => {
      const subject = Subjects.task("t2");
      const a = await store.append(subject, taskEvent("task.created", "t2"), { expectedSeq: 0 });
      // Another subject moving on does not matter: the expectation is per subject.
      await store.append(Subjects.task("other"), taskEvent("task.created", "other"));
      const b = await store.append(subject, taskEvent("task.queued", "t2"), { expectedSeq: a.seq });
      assert.ok(b.seq > a.seq);
      await assert.rejects(
        store.append(subject, taskEvent("task.started", "t2"), { expectedSeq: a.seq }),
        ConcurrencyError,
      );
      const c = await store.append(subject, taskEvent("task.started", "t2"), { expectedSeq: b.seq });
      assert.ok(c.seq > b.seq);
    });

    it("given the same event id appended twice, then the second is a duplicate at the first's sequence, stored once", async () => {
      const subject = Subjects.task("t3");
      const event = taskEvent("task.created", "t3");
      const a = await store.append(subject, event);
      const b = await store.append(subject, event);
      assert.deepEqual(b, { seq: a.seq, duplicate: true });
      assert.equal((await all(store.read(subject))).length, 1);
    });

    it("given a subject's events, then lastEvent is the last one at its sequence, and null for an empty subject", async () => {
      const subject = Subjects.task("t4");
      assert.equal(await store.lastEvent(subject), null);
      await store.append(subject, taskEvent("task.created", "t4"));
      const q = await store.append(subject, taskEvent("task.queued", "t4"));
      const last = await store.lastEvent(subject);
      assert.equal(last?.event.type, "task.queued");
      assert.equal(last?.seq, q.seq);
      assert.equal(last?.subject, subject);
    });

    it("given something not an event stored after a task's last event, then lastEvent is that event at the subject's real last sequence", async () => {
      const subject = Subjects.task("t5");
      await store.append(subject, taskEvent("task.created", "t5"));
      const junk = await store.appendJson(subject, { not: "an event" }, "t5-junk");
      const last = await store.lastEvent(subject);
      assert.equal(last?.event.type, "task.created");
      assert.equal(last?.seq, junk.seq, "the next append must expect the subject's real last sequence");
    });

    it("given messages on several subjects, then lastSequence follows wildcards and is 0 for none", async () => {
      const t = await store.append(Subjects.task("t6"), taskEvent("task.created", "t6"));
      const j = await store.append(
        Subjects.job("job-c"),
        exampleEvent("job.accepted", {}, { id: "j6", job_id: "job-c" }),
      );
      const cmd = await store.appendJson(Subjects.controlStop, { reason: "contract" }, "stop-6");
      assert.equal(await store.lastSequence(Subjects.tasks), t.seq);
      assert.equal(await store.lastSequence(Subjects.job("job-c")), j.seq);
      assert.equal(await store.lastSequence(Subjects.all), cmd.seq);
      assert.equal(await store.lastSequence(Subjects.task("none")), 0);
    });

    it("given an event and a command, then eventAt finds the event, and null for the command or past the end", async () => {
      const e = await store.append(Subjects.task("t7"), taskEvent("task.created", "t7"));
      const cmd = await store.appendJson(Subjects.submit, { spec: "x", count: 1 }, "submit-7");
      assert.equal((await store.eventAt(e.seq))?.event.id, "t7-task.created");
      assert.equal(await store.eventAt(cmd.seq), null);
      assert.equal(await store.eventAt(cmd.seq + 10), null);
    });

    it("given a mix of subjects, commands and garbage, when read, then a filter's valid events come in order within the range", async () => {
      const seqs: number[] = [];
      for (const type of ["task.created", "task.queued", "task.started"] as const)
        seqs.push((await store.append(Subjects.task("t8"), taskEvent(type, "t8"))).seq);
      await store.append(Subjects.task("t9"), taskEvent("task.created", "t9"));
      await store.appendJson(Subjects.task("t8"), "garbage", "t8-garbage");
      await store.appendJson(Subjects.controlResume, {}, "resume-8");
      const whole = await all(store.read(Subjects.task("t8")));
      assert.deepEqual(
        whole.map((e) => [e.seq, e.event.type]),
        [
          [seqs[0], "task.created"],
          [seqs[1], "task.queued"],
          [seqs[2], "task.started"],
        ],
      );
      const middle = await all(store.read(Subjects.task("t8"), { fromSeq: seqs[1], toSeq: seqs[1] }));
      assert.deepEqual(
        middle.map((e) => e.event.type),
        ["task.queued"],
      );
      const tasks = await all(store.read(Subjects.tasks));
      assert.deepEqual(
        tasks.map((e) => e.event.task_id),
        ["t8", "t8", "t8", "t9"],
      );
      assert.deepEqual(await all(store.read(Subjects.task("never-written"))), []);
    });

    it("given events stored and one appended later, when followed from a sequence, then each comes in order until aborted", async () => {
      const subject = Subjects.task("t10");
      const a = await store.append(subject, taskEvent("task.created", "t10"));
      await store.append(subject, taskEvent("task.queued", "t10"));
      const abort = new AbortController();
      const seen: string[] = [];
      const following = (async () => {
        for await (const e of store.follow(subject, a.seq + 1, abort.signal)) {
          seen.push(e.event.type);
          if (seen.length === 2) abort.abort();
        }
      })();
      // Appended while the follower waits: it must arrive too.
      await store.append(subject, taskEvent("task.started", "t10"));
      await following;
      assert.deepEqual(seen, ["task.queued", "task.started"]);
    });
  });
}
