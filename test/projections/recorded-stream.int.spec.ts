// The wire format stays v1: the stream recorded with the code of its day (test/fixtures/streams)
// replays into a fresh nats-server at the same sequences and folds to the same projections.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { jetstream } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import { AgentEvent, decodeWith, Subjects, WorkItem } from "../../src/core/events/index.ts";
import { foldTask } from "../../src/core/lifecycle/index.ts";
import { createEmbeddedStore, ProjectionRunner } from "../../src/projections/index.ts";
import type { TaskDoc } from "../../src/projections/task-details/doc.ts";
import { type RecordedMessage, readJsonLines, STREAM_FILES } from "../fixtures/streams/recorded.ts";
import { quietLog, type Stream, startStream } from "./support.ts";

const encoder = new TextEncoder();
const isCommand = (subject: string) => subject === Subjects.submit || subject.startsWith("agents.control.");

describe("given the recorded v1 stream", () => {
  let stream: Stream;
  let recorded: RecordedMessage[];
  before(async () => {
    stream = await startStream();
    recorded = await readJsonLines<RecordedMessage>(STREAM_FILES.messages);
  });
  after(() => stream.stop());

  it("when read, then every payload on an event subject but one planted garbage is a valid event", () => {
    const events = recorded.filter((m) => !isCommand(m.subject));
    const invalid = events.filter((m) => !decodeWith(AgentEvent, encoder.encode(m.payload)).ok);
    assert.deepEqual(
      invalid.map((m) => m.subject),
      [Subjects.task("v1-garbage")],
    );
    assert.ok(events.length > 100, `${events.length} events`);
  });

  it("when its work items are read, then each is a valid work item", async () => {
    const work = await readJsonLines<{ subject: string; payload: string }>(STREAM_FILES.work);
    assert.ok(work.length > 10);
    for (const w of work) assert.ok(decodeWith(WorkItem, encoder.encode(w.payload)).ok, w.payload);
  });

  it("when replayed into a fresh server, then each message lands at its sequence and the projections match", async () => {
    const js = jetstream(stream.nc);
    for (const m of recorded) {
      const h = headers();
      for (const [k, v] of Object.entries(m.headers)) h.set(k, v);
      // The recorded headers include Nats-Msg-Id and the expected subject sequences, which hold again.
      const ack = await js.publish(m.subject, m.payload, { headers: h });
      assert.equal(ack.seq, m.seq, `${m.subject} lands at ${m.seq}`);
    }
    const store = createEmbeddedStore();
    const runner = new ProjectionRunner({ nc: stream.nc, store, log: quietLog });
    await runner.catchUp();
    const expected = JSON.parse(await readFile(STREAM_FILES.projections, "utf8"));
    assert.deepEqual(JSON.parse(JSON.stringify(await store.dump())), expected);
  });

  it("when a task's lifecycle with an output inline in task.completed follows it, then it decodes, folds and projects with that output", async () => {
    // A recorded generator task that completed, as the current worker writes it: the same events
    // under a new task id, its task.completed carrying the output inline (nothing stored).
    const completed = recorded.find(
      (m) => m.subject.startsWith("agents.task.") && m.payload.includes('"task.completed"'),
    );
    assert.ok(completed, "the recorded stream has a completed task");
    const taskId = "v2-inline-output";
    const output = "An answer small enough to travel in its event.";
    const lifecycle = recorded
      .filter((m) => m.subject === completed.subject)
      .map((m) => {
        const e = JSON.parse(m.payload) as {
          id: string;
          type: string;
          task_id: string;
          data: Record<string, unknown>;
        };
        const data = e.type === "task.completed" ? { ...e.data, output_inline: output } : e.data;
        return { ...e, id: `${e.id}-v2`, task_id: taskId, data };
      });
    assert.ok(lifecycle.some((e) => e.type === "task.completed"));
    const decoded = lifecycle.map((e, i) => {
      const d = decodeWith(AgentEvent, encoder.encode(JSON.stringify(e)));
      assert.ok(d.ok, `${e.type} decodes`);
      return { event: d.value, seq: i + 1 };
    });
    assert.equal(foldTask(decoded)?.output_inline, output, "the task's fold carries the inline output");

    const js = jetstream(stream.nc);
    for (const e of lifecycle) await js.publish(Subjects.task(taskId), JSON.stringify(e));
    const store = createEmbeddedStore();
    const runner = new ProjectionRunner({ nc: stream.nc, store, log: quietLog });
    await runner.catchUp();
    const dump = (await store.dump()) as Record<string, unknown>;
    const docs = ["tasks_standard", "tasks_heavy", "tasks_critic"].flatMap(
      (c) => (dump[c] ?? []) as TaskDoc[],
    );
    const doc = docs.find((d) => d.task_id === taskId);
    assert.equal(doc?.status, "completed");
    assert.equal(doc?.output_inline, output, "the task's document carries the inline output");
    // The v1 tasks' documents have none: their outputs are read from the object store.
    assert.ok(docs.filter((d) => d.task_id !== taskId).every((d) => d.output_inline === undefined));
  });
});
