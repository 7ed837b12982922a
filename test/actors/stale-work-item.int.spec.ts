import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { STREAM_WORK, Subjects, type WorkItem, workConsumerName } from "../../src/core/events/index.ts";
import { JetStreamEventStore } from "../../src/nats/index.ts";
import { exampleEvent } from "../core/events/examples.ts";
import { eventually, ofType, startStack, type TestStack } from "../support/index.ts";

// Work items name the sequence the orchestrator last saw on the task (`queued_seq`), so a worker can
// claim without reading the task first. These tests drive a real worker with hand-written events and
// items (no orchestrator) to show that a stale item can never start a task twice.
describe("a worker given work items that name the task's last sequence", () => {
  let stack: TestStack;
  let publisher: JetStreamEventStore;
  before(async () => {
    stack = await startStack();
    publisher = new JetStreamEventStore(stack.nc);
    stack.startWorker();
  });
  after(() => stack.stop());

  /** task.created and task.queued on a fresh task; more events after them when given. */
  async function task(id: string, then: Array<"task.started"> = []) {
    const subject = Subjects.task(id);
    const meta = (type: string) => ({ id: `${id}-${type}`, job_id: "job-stale", task_id: id });
    const prompt = { inline: "Write one line about stale messages." };
    const created = await publisher.append(
      subject,
      exampleEvent("task.created", { prompt, model: "claude-fixture" }, meta("created")),
    );
    const queued = await publisher.append(subject, exampleEvent("task.queued", {}, meta("queued")));
    for (const type of then) await publisher.append(subject, exampleEvent(type, {}, meta(type)));
    return { created: created.seq, queued: queued.seq };
  }

  async function dispatch(item: WorkItem) {
    await publisher.appendJson(
      Subjects.work("claude", item.queue, item.band),
      item,
      `${item.task_id}:stale-test`,
    );
  }

  const itemFor = (id: string, seqs: { created: number; queued: number }): WorkItem => ({
    task_id: id,
    job_id: "job-stale",
    queue: "standard",
    band: "normal",
    priority: 999,
    attempt: 1,
    created_seq: seqs.created,
    queued_seq: seqs.queued,
  });

  async function drained() {
    await eventually(async () => {
      const c = await stack.jsm.consumers.info(
        STREAM_WORK,
        workConsumerName({ route: "claude", queue: "standard", band: "normal" }),
      );
      return c.num_pending === 0 && c.num_ack_pending === 0;
    }, 20_000);
  }

  it("given an item whose task is still where it says, then the worker starts and completes it", async () => {
    const seqs = await task("t-fresh");
    await dispatch(itemFor("t-fresh", seqs));
    const events = await stack.waitFor(
      Subjects.task("t-fresh"),
      (es) => ofType(es, "task.completed").length > 0,
      20_000,
    );
    const started = ofType(events, "task.started");
    assert.equal(started.length, 1);
    assert.equal(started[0]?.seq, seqs.queued + 1, "task.started came right after task.queued");
  });

  it("given an item that carries its task.created, then the worker starts it without reading the stream", async () => {
    const seqs = await task("t-carried");
    const created = (await stack.events(Subjects.task("t-carried")))[0]?.event;
    assert.equal(created?.type, "task.created");
    // Every read of the AGENTS stream by sequence or subject goes to one of these API subjects; a
    // core subscription sees each request as the server receives it. The start is awaited on a core
    // subscription too, so the test itself reads nothing until it is seen.
    const reads: string[] = [];
    const apis = [
      "$JS.API.STREAM.MSG.GET.AGENTS",
      "$JS.API.DIRECT.GET.AGENTS",
      "$JS.API.DIRECT.GET.AGENTS.>",
    ];
    const subs = apis.map((subject) =>
      stack.nc.subscribe(subject, {
        callback: (_err, m) => {
          reads.push(m.subject);
        },
      }),
    );
    const started = stack.nc.subscribe(Subjects.task("t-carried"));
    await stack.nc.flush();
    try {
      await dispatch({ ...itemFor("t-carried", seqs), created: created.data });
      const seen = (async () => {
        for await (const m of started) if (m.string().includes('"task.started"')) return reads.length;
        return -1;
      })();
      const readsBeforeStart = await Promise.race([seen, sleep(20_000).then(() => -1)]);
      assert.equal(readsBeforeStart, 0, `reads before the start: ${reads.join(", ")}`);
      const events = await stack.waitFor(
        Subjects.task("t-carried"),
        (es) => ofType(es, "task.started").length > 0,
        20_000,
      );
      assert.equal(ofType(events, "task.started")[0]?.seq, seqs.queued + 1, "claimed at queued_seq");
    } finally {
      for (const sub of subs) sub.unsubscribe();
      started.unsubscribe();
    }
  });

  it("given an item that carries its task.created for a task already started, then it is not started again", async () => {
    const seqs = await task("t-carried-taken", ["task.started"]);
    const created = (await stack.events(Subjects.task("t-carried-taken")))[0]?.event;
    assert.equal(created?.type, "task.created");
    await dispatch({ ...itemFor("t-carried-taken", seqs), created: created.data });
    await drained();
    const events = await stack.events(Subjects.task("t-carried-taken"));
    assert.deepEqual(
      events.map((e) => e.event.type),
      ["task.created", "task.queued", "task.started"],
      "only the other worker's start",
    );
  });

  it("given an item for a task another worker already started, then it is not started again", async () => {
    const seqs = await task("t-taken", ["task.started"]);
    await dispatch(itemFor("t-taken", seqs));
    await drained();
    const events = await stack.events(Subjects.task("t-taken"));
    assert.deepEqual(
      events.map((e) => e.event.type),
      ["task.created", "task.queued", "task.started"],
      "only the other worker's start",
    );
  });
});
