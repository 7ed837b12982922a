import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { parseSse, type SseMessage } from "../../src/cli/sse-client.ts";
import { type AgentEventType, type EventData, Subjects } from "../../src/core/events/index.ts";
import { JetStreamEventStore } from "../../src/nats/index.ts";
import { exampleEvent } from "../core/events/examples.ts";
import { type GatewayHarness, startGatewayHarness } from "./harness.ts";

/**
 * Read a stream until the gateway closes it; fails when it is still open after `budgetMs`. `until`
 * (optional) is called after each message: `seen` resolves once it returns true, while the stream
 * is (so far) open.
 */
function readToEnd(
  url: string,
  headers: Record<string, string> = {},
  until: (m: SseMessage) => boolean = () => false,
  budgetMs = 25_000,
): { seen: Promise<void>; all: Promise<SseMessage[]> } {
  let markSeen = () => {};
  const seen = new Promise<void>((resolve) => {
    markSeen = resolve;
  });
  const all = (async () => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), budgetMs);
    const got: SseMessage[] = [];
    try {
      const res = await fetch(url, { headers, signal: abort.signal });
      assert.equal(res.status, 200);
      for await (const m of parseSse(res.body as ReadableStream<Uint8Array>)) {
        got.push(m);
        if (until(m)) markSeen();
      }
    } catch (err) {
      if (abort.signal.aborted)
        assert.fail(
          `the stream was still open after ${budgetMs} ms: ${JSON.stringify(got.map((m) => m.event))}`,
        );
      throw err;
    } finally {
      clearTimeout(timer);
      markSeen();
    }
    return got;
  })();
  return { seen, all };
}

describe("a job's SSE stream ends with the job", () => {
  let h: GatewayHarness;
  let base: string;
  let store: JetStreamEventStore;
  before(async () => {
    h = await startGatewayHarness({});
    await h.app.listen({ host: "127.0.0.1", port: 0 });
    const addr = h.app.server.address();
    base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
    store = new JetStreamEventStore(h.nc);
  });
  after(() => h.stop());

  /** Append one valid event of `type` (example data) for a job or one of its tasks; its sequence. */
  async function record<T extends AgentEventType>(
    type: T,
    job: string,
    task?: string,
    data: Partial<EventData<T>> = {},
  ): Promise<number> {
    const e = exampleEvent(type, data, {
      id: randomUUID(),
      job_id: job,
      ...(task ? { task_id: task } : {}),
      now: Date.now(),
    });
    return (await store.append(task ? Subjects.task(task) : Subjects.job(job), e)).seq;
  }

  it("given a completed job, then its stream sends every event, one `end` frame, and closes; resuming after it gets only `end`", async () => {
    const job = "jSseEndDone";
    const task = `${job}-i1-g`;
    await record("job.submitted", job);
    await record("task.created", job, task);
    await record("task.started", job, task);
    await record("task.completed", job, task);
    await record("job.iteration_ended", job, undefined, {
      iteration: 1,
      outcome: "passed",
      best_task_id: task,
    });
    const completed = await record("job.completed", job);

    const got = await readToEnd(`${base}/v1/agents/events?job=${job}`).all;
    assert.deepEqual(
      got.map((m) => m.event),
      [
        "job.submitted",
        "task.created",
        "task.started",
        "task.completed",
        "job.iteration_ended",
        "job.completed",
        "end",
      ],
    );
    const end = JSON.parse(got.at(-1)?.data ?? "{}");
    assert.deepEqual(end, { job_id: job, status: "completed", reason: "all_done", final_seq: completed });

    const again = await readToEnd(`${base}/v1/agents/events?job=${job}`, {
      "last-event-id": String(completed),
    }).all;
    assert.deepEqual(
      again.map((m) => m.event),
      ["end"],
    );
  });

  it("given a cancelled job with a task still running, then the stream stays open until that task is cancelled", async () => {
    const job = "jSseEndCancel";
    const task = `${job}-i1-g`;
    await record("job.submitted", job);
    await record("task.created", job, task);
    await record("task.started", job, task);
    await record("job.cancelled", job);
    const reading = readToEnd(`${base}/v1/agents/events?job=${job}`, {}, (m) => m.event === "job.cancelled");
    // The client has job.cancelled and the stream is still open. The task ends only now (as when a
    // worker stops the agent): the stream carries it, and the end frame comes after it.
    await reading.seen;
    await record("task.cancel_requested", job, task);
    const cancelled = await record("task.cancelled", job, task);
    const got = await reading.all;
    const types = got.map((m) => m.event);
    assert.deepEqual(types.slice(-3), ["task.cancel_requested", "task.cancelled", "end"]);
    assert.equal(got.at(-2)?.id, cancelled);
    assert.equal(JSON.parse(got.at(-1)?.data ?? "{}").status, "cancelled");
  });

  it("given a job still running, then its stream stays open: it closes once the job completes later", async () => {
    const job = "jSseEndLater";
    const task = `${job}-i1-g`;
    await record("job.submitted", job);
    await record("task.created", job, task);
    const reading = readToEnd(`${base}/v1/agents/events?job=${job}`, {}, (m) => m.event === "task.created");
    await reading.seen;
    await record("task.started", job, task);
    await record("task.completed", job, task);
    await record("job.completed", job);
    const got = await reading.all;
    assert.deepEqual(
      got.map((m) => m.event),
      ["job.submitted", "task.created", "task.started", "task.completed", "job.completed", "end"],
    );
  });
  it("given a job that ended before other jobs' events, then its stream still ends once it has read past them", async () => {
    const job = "jSseEndOld";
    await record("job.submitted", job);
    await record("job.completed", job);
    // Another job runs on: the stream's end is now far past this job's last event.
    const other = "jSseEndBusy";
    await record("job.submitted", other);
    for (let i = 1; i <= 20; i++) await record("task.created", other, `${other}-i${i}-g`);
    const got = await readToEnd(`${base}/v1/agents/events?job=${job}`).all;
    assert.deepEqual(
      got.map((m) => m.event),
      ["job.submitted", "job.completed", "end"],
    );
  });

  it("given a job with more events than a socket takes at once, then every one arrives before `end`", async () => {
    const job = "jSseEndBig";
    await record("job.submitted", job);
    // Far past the socket's 16 KiB high-water mark: frames queue up, and must all go out before it ends.
    const tasks = Array.from({ length: 150 }, (_, i) => `${job}-i${i + 1}-g`);
    await Promise.all(tasks.map((t) => record("task.created", job, t)));
    await Promise.all(tasks.map((t) => record("task.cancelled", job, t)));
    const cancelled = await record("job.cancelled", job);
    const got = await readToEnd(`${base}/v1/agents/events?job=${job}`).all;
    assert.equal(got.length, 1 + 300 + 1 + 1, "every event, then `end`");
    assert.equal(got.at(-2)?.id, cancelled);
    assert.equal(got.at(-1)?.event, "end");
  });

  it("given a rejected job, then its stream ends with status rejected naming the field", async () => {
    const job = "jSseEndRejected";
    await record("job.submitted", job);
    await record("job.rejected", job);
    const got = await readToEnd(`${base}/v1/agents/events?job=${job}`).all;
    const end = JSON.parse(got.at(-1)?.data ?? "{}");
    assert.equal(got.at(-1)?.event, "end");
    assert.equal(end.status, "rejected");
    assert.match(end.reason, /^count: /);
  });
  it("given the OpenAPI description, then the events route says a job's stream ends with an `end` frame", async () => {
    const doc = (await h.app.inject({ url: "/openapi.json" })).json();
    const description: string = doc.paths["/v1/agents/events"].get.description;
    assert.match(description, /`event: end`/);
    assert.match(description, /"status":"completed"\|"cancelled"\|"rejected"/);
  });
});
