import assert from "node:assert/strict";
import { request } from "node:http";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { type AgentEvent, newEvent, STREAM_EVENTS, Subjects } from "../../src/core/events/index.ts";
import { JetStreamEventStore } from "../../src/nats/index.ts";
import { eventually, type GatewayHarness, startGatewayHarness } from "./harness.ts";
import { readSse } from "./sse-reader.ts";

// Events for a job: on the job's subject, or on one of its tasks' subjects.
function jobEvent(job: string): AgentEvent {
  return newEvent("job.wave_planned", { wave: 1, iterations: [1] }, { job_id: job, now: Date.now() });
}
function taskEvent(job: string, n: number, message = "working"): AgentEvent {
  const task = `${job}-i${n}-g`;
  return newEvent(
    "task.progress",
    { elapsed_ms: n, message },
    { job_id: job, task_id: task, now: Date.now() },
  );
}

describe("GET /v1/agents/events (SSE)", () => {
  let h: GatewayHarness;
  let app: FastifyInstance;
  let base: string;
  let pub: JetStreamEventStore;
  const publish = async (subject: string, e: AgentEvent) => (await pub.append(subject, e)).seq;
  before(async () => {
    h = await startGatewayHarness({ env: { AGENTS_SSE_HEARTBEAT_MS: "100", AGENTS_SSE_MAX_BUFFERED: "16" } });
    app = h.app;
    await app.listen({ host: "127.0.0.1", port: 0 });
    const addr = app.server.address();
    base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
    pub = new JetStreamEventStore(h.nc);
  });
  after(() => h.stop());

  it("given a job filter, when a client disconnects and resumes with Last-Event-ID, then it gets exactly what it missed", async () => {
    const [A, B] = ["jSseResumeA", "jSseResumeB"];
    for (let i = 1; i <= 4; i++) {
      await publish(Subjects.job(A), jobEvent(A));
      await publish(Subjects.task(`${A}-i${i}-g`), taskEvent(A, i));
      await publish(Subjects.task(`${B}-i${i}-g`), taskEvent(B, i));
    }
    const first = await readSse(`${base}/v1/agents/events?job=${A}`, (got) => got.length === 3);
    assert.equal(first.length, 3);
    for (let i = 5; i <= 8; i++) {
      await publish(Subjects.task(`${A}-i${i}-g`), taskEvent(A, i));
      await publish(Subjects.job(B), jobEvent(B));
    }
    const expected = (await h.events()).filter((e) => e.event.job_id === A).map((e) => e.seq);
    const lastSeen = String(first.at(-1)?.id);
    const second = await readSse(
      `${base}/v1/agents/events?job=${A}`,
      (got) => got.length === expected.length - 3,
      { "last-event-id": lastSeen },
    );
    const ids = [...first, ...second].map((m) => m.id);
    assert.deepEqual(ids, expected, "no gaps, no repeats, in stream order");
    for (const m of [...first, ...second]) assert.equal(JSON.parse(m.data).job_id, A);
    assert.equal(second[0]?.event, "task.progress");
  });

  it("given a task filter, then the task's whole history; the query form of last_event_id resumes too", async () => {
    const job = "jSseTask";
    const seqs = [];
    for (let i = 0; i < 3; i++)
      seqs.push(await publish(Subjects.task(`${job}-i1-g`), taskEvent(job, 1, `m${i}`)));
    await publish(Subjects.task(`${job}-i2-g`), taskEvent(job, 2));
    const all = await readSse(`${base}/v1/agents/events?task=${job}-i1-g`, (got) => got.length === 3);
    assert.deepEqual(
      all.map((m) => m.id),
      seqs,
    );
    const rest = await readSse(
      `${base}/v1/agents/events?task=${job}-i1-g&last_event_id=${seqs[0]}`,
      (got) => got.length === 2,
    );
    assert.deepEqual(
      rest.map((m) => m.id),
      seqs.slice(1),
    );
  });

  it("without a filter, then only events published after connecting; comment heartbeats keep it open", async () => {
    const old = await publish(Subjects.job("jSseOld"), jobEvent("jSseOld"));
    const raw: string[] = [];
    const res = await fetch(`${base}/v1/agents/events`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const fresh = await publish(Subjects.job("jSseNew"), jobEvent("jSseNew"));
    const deadline = Date.now() + 10_000;
    while (
      Date.now() < deadline &&
      !(raw.join("").includes(`id: ${fresh}`) && raw.join("").includes(": ping"))
    ) {
      const { value } = await reader.read();
      raw.push(new TextDecoder().decode(value));
    }
    await reader.cancel();
    const text = raw.join("");
    assert.match(text, new RegExp(`id: ${fresh}\\n`));
    assert.doesNotMatch(text, new RegExp(`id: ${old}\\n`));
    assert.match(text, /: ping\n\n/);
  });

  it("given a client that stops reading, then it is dropped and another client still gets every event", async () => {
    const job = "jSseSlow";
    const task = `${job}-i1-g`;
    const url = `${base}/v1/agents/events?task=${task}`;
    // A client that never reads past the headers.
    const slow = request(url);
    slow.on("response", (res) => res.pause());
    slow.on("error", () => undefined);
    slow.end();
    await eventually(async () => (app.server.listening && (await sseClients(app)) >= 1 ? true : undefined));
    // Publish large events until the gateway drops the slow client (socket buffers differ by machine).
    // The reading client runs in this process, so on a loaded machine it may be scheduled late: each
    // batch waits until it has read everything so far, and a batch is smaller than the gateway's
    // buffer (16 frames). It can then never fall behind far enough to be dropped itself.
    const bulk = "x".repeat(3900);
    let total = Number.POSITIVE_INFINITY;
    let seen = 0;
    let wake: () => void = () => undefined;
    const fast = readSse(
      url,
      (got) => {
        seen = got.length;
        wake();
        return got.length >= total;
      },
      {},
      90_000,
    );
    const stoppedEarly = fast.then((got) => {
      throw new Error(`the reading client stopped after ${got.length} events`);
    });
    stoppedEarly.catch(() => undefined);
    const caughtUp = (n: number) =>
      Promise.race([
        new Promise<void>((resolve) => {
          wake = () => (seen >= n ? resolve() : undefined);
          wake();
        }),
        stoppedEarly,
      ]);
    let published = 0;
    while (published < 20_000 && !(await dropped(app))) {
      const batch = [];
      for (let i = 0; i < 10; i++, published++) {
        const e = newEvent(
          "task.failed",
          { attempt: 1, reason: "internal", error: bulk, duration_ms: published, cost_usd: 0 },
          { job_id: job, task_id: task, now: Date.now() },
        );
        batch.push(pub.append(Subjects.task(task), e));
      }
      await Promise.all(batch);
      await caughtUp(published);
    }
    total = published;
    // One more event wakes the reader's check even if it already holds them all.
    await pub.append(Subjects.task(task), taskEvent(job, 1));
    const got = await fast;
    assert.ok(await dropped(app), "the slow client was dropped");
    assert.ok(got.length >= total, `the reading client got every event (${got.length} of ${total})`);
    assert.deepEqual(
      got.map((m) => m.id),
      [...got.map((m) => m.id)].sort((a, b) => (a ?? 0) - (b ?? 0)),
    );
    slow.destroy();
  });
});

async function dropped(app: FastifyInstance): Promise<boolean> {
  return /agents_sse_dropped_total\{reason="slow"\} [1-9]/.test((await app.inject({ url: "/metrics" })).body);
}

async function sseClients(app: FastifyInstance): Promise<number> {
  const m = /agents_sse_clients (\d+)/.exec((await app.inject({ url: "/metrics" })).body);
  return Number(m?.[1] ?? 0);
}

describe("GET /v1/agents/events: consumers of departed clients", () => {
  let h: GatewayHarness;
  let base: string;
  before(async () => {
    h = await startGatewayHarness({ env: { AGENTS_SSE_HEARTBEAT_MS: "200" } });
    await h.app.listen({ host: "127.0.0.1", port: 0 });
    const addr = h.app.server.address();
    base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  });
  after(() => h.stop());

  it("given 40 clients that connect and disconnect, then the stream's consumer count returns to where it was", async () => {
    const consumers = async () => (await h.jsm.streams.info(STREAM_EVENTS)).state.consumer_count;
    const pub = new JetStreamEventStore(h.nc);
    const task = "jSseGone-i1-g";
    await pub.append(Subjects.task(task), taskEvent("jSseGone", 1));
    const before = await consumers();
    // Clients that read an event (so their consumer surely existed) and then hang up, in batches.
    for (let batch = 0; batch < 4; batch++) {
      const reads = Array.from({ length: 8 }, () =>
        readSse(`${base}/v1/agents/events?task=${task}`, (got) => got.length >= 1, {}, 30_000),
      );
      for (const got of await Promise.all(reads)) assert.equal(got.length, 1);
    }
    // Clients that hang up as soon as the headers arrive, possibly before their consumer exists.
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${base}/v1/agents/events`);
      assert.equal(res.status, 200);
      await res.body?.cancel();
    }
    await eventually(
      async () => ((await sseClients(h.app)) === 0 ? true : undefined),
      30_000,
      "clients gone",
    );
    // An ordered consumer left alone lingers for its 5-minute inactive threshold: this would time out.
    const after = await eventually(
      async () => {
        const n = await consumers();
        return n <= before ? n : undefined;
      },
      30_000,
      `the consumer count to return to ${before}`,
    );
    assert.equal(after, before);
  });

  it("given 40 clients that hang up before the answer, then none leaves a consumer behind", async () => {
    const consumers = async () => (await h.jsm.streams.info(STREAM_EVENTS)).state.consumer_count;
    const before = await consumers();
    const { port } = new URL(base);
    // A whole request, then the socket closed a few ms later: while the gateway is still finding
    // where the stream starts (before it answers), which is when a hang-up went unnoticed.
    await Promise.all(
      Array.from(
        { length: 40 },
        (_, i) =>
          new Promise<void>((resolve) => {
            const socket = connect({ host: "127.0.0.1", port: Number(port) }, () => {
              socket.write("GET /v1/agents/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
              setTimeout(() => socket.destroy(), i % 10);
            });
            socket.on("error", () => undefined);
            socket.on("close", () => resolve());
          }),
      ),
    );
    await eventually(
      async () => ((await sseClients(h.app)) === 0 ? true : undefined),
      30_000,
      "clients gone",
    );
    const after = await eventually(
      async () => {
        const n = await consumers();
        return n <= before ? n : undefined;
      },
      30_000,
      `the consumer count to return to ${before}`,
    );
    assert.equal(after, before);
  });
});
