// The wire format stays v1: the stream recorded with the code of its day (test/fixtures/streams)
// replays into a fresh nats-server at the same sequences and folds to the same projections.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { jetstream } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import { AgentEvent, decodeWith, Subjects, WorkItem } from "../../src/core/events/index.ts";
import { createEmbeddedStore, ProjectionRunner } from "../../src/projections/index.ts";
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
});
