// The whole stack with every role on its own NATS user (the shipped deploy/nats/auth.conf): one
// process per actor, a job end to end, and forged events that the server or the readers refuse.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { newEvent, STREAM_EVENTS, Subjects } from "../../src/core/events/index.ts";
import { jobIdFor } from "../../src/core/ids.ts";
import type { StoredEvent } from "../../src/core/ports/event-store.ts";
import { JetStreamEventStore, StreamReader } from "../../src/nats/index.ts";
import { isPermissionDenied } from "../../src/nats/topology-access.ts";
import { readSse } from "../gateway/sse-reader.ts";
import { type ActorProcess, FAKE_CLAUDE, freePort, retryUntil, spawnActor } from "../support/index.ts";
import { type SecuredNats, startSecuredNats } from "../support/secured-nats.ts";
import { until } from "./support.ts";

type JobStatus = { job: { status: string; reason?: string; seq: number } };

describe("every role on its own NATS user", () => {
  let s: SecuredNats;
  let dir: string;
  let url: string;
  let operator: NatsConnection;
  let worker: NatsConnection;
  const actors: ActorProcess[] = [];
  const logs = () => actors.map((a) => a.logs().slice(-2500)).join("\n---\n");

  const events = async (filter: string): Promise<StoredEvent[]> => {
    const out: StoredEvent[] = [];
    for await (const e of new StreamReader(operator).readEvents(filter)) out.push(e);
    return out;
  };
  const api = async (path: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method: body === undefined ? "GET" : "POST",
      ...(body === undefined
        ? {}
        : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
  const status = async (job: string) => (await (await api(`/v1/agents/status/${job}`)).json()) as JobStatus;
  const completed = (job: string) =>
    until(
      async () => ((await status(job)).job.status === "completed" ? true : undefined),
      60_000,
      `${job} completed`,
    );

  before(async () => {
    s = await startSecuredNats();
    dir = await mkdtemp(join(tmpdir(), "agents-roles-"));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const base = {
      AGENTS_DATA_DIR: join(dir, "data"),
      AGENTS_EXECUTOR: "claude",
      CLAUDE_COMMAND: FAKE_CLAUDE,
      FIXTURE_LOG: join(dir, "fixture.log"),
      FIXTURE_STATE_DIR: dir,
      AGENTS_WORK_ACK_WAIT_MS: "3000",
      AGENTS_RETRY_BASE_MS: "300",
      AGENTS_PROGRESS_EVERY_MS: "1000",
      LOG_LEVEL: "info",
    };
    // Workers and the gateway start first: they wait for the orchestrator to create the streams.
    actors.push(spawnActor("worker", { ...base, ...s.envFor("worker"), AGENTS_QUEUES: "standard,heavy" }));
    actors.push(spawnActor("worker", { ...base, ...s.envFor("critic"), AGENTS_QUEUES: "critic" }));
    actors.push(spawnActor("gateway", { ...base, ...s.envFor("gateway"), AGENTS_PORT: String(port) }));
    actors.push(spawnActor("orchestrator", { ...base, ...s.envFor("orchestrator") }));
    operator = await s.connectAs("operator");
    worker = await s.connectAs("worker");
    await retryUntil(
      async () => {
        const res = await fetch(`${url}/ready`);
        if (res.status !== 200) throw new Error(`/ready answered ${res.status}`);
      },
      { timeoutMs: 60_000, intervalMs: 300 },
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${logs()}`);
    });
  });
  after(async () => {
    await Promise.all(actors.map((a) => a.kill("SIGTERM")));
    await operator?.close();
    await worker?.close();
    await s?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("given one process per role, when a job is submitted over REST, then it completes end to end and the server refused none of them anything", async () => {
    // Waiting for the topology, the worker and gateway only looked (they may not create it).
    const before = s.violations();
    const res = await api("/v1/agents/submit", {
      spec: "Write one line about locks.\nFIXTURE: sleep 100",
      count: 2,
    });
    assert.equal(res.status, 202, await res.clone().text());
    const { job_id } = (await res.json()) as { job_id: string };
    await completed(job_id).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${logs()}`);
    });
    const result = (await (await api(`/v1/agents/result/${job_id}`)).json()) as {
      job: { iterations: Array<{ output: string }> };
    };
    assert.equal(result.job.iterations.length, 2);
    // SSE from the stream, as the gateway user (a direct get and an ordered consumer per client).
    const sse = await readSse(
      `${url}/v1/agents/events?job=${job_id}`,
      (m) => m.some((e) => e.event === "job.completed"),
      {},
      30_000,
    );
    assert.ok(
      sse.some((e) => e.event === "critique.recorded"),
      "critiques reach SSE from their new subject",
    );
    // /health reads the orchestrator's lease from its KV bucket, as the gateway user.
    const health = (await (await api("/health")).json()) as {
      status: string;
      orchestrator: { live: boolean };
    };
    assert.deepEqual([health.status, health.orchestrator.live], ["ok", true]);
    const critiques = (await events(Subjects.critiques)).filter((e) => e.event.job_id === job_id);
    assert.equal(critiques.length, 2, "each critic recorded its critique on its own critique subject");
    assert.equal(
      (await events(Subjects.job(job_id))).filter((e) => e.event.type.startsWith("critique.")).length,
      0,
    );
    assert.deepEqual(before, [], "no refusal while starting");
    assert.deepEqual(s.violations(), [], "no refusal while running the job");
  });

  it("given the submitter identity, when it sends a submission as a NATS request, then the orchestrator answers with the job id", async () => {
    const submitter = await s.connectAs("submitter");
    try {
      const reply = await submitter.request(
        Subjects.submitRequest,
        JSON.stringify({ spec: "Write one line about bells.", count: 1, idempotency_key: "roles-req-1" }),
        { timeout: 20_000 },
      );
      const answer = reply.json<{ job_id: string }>();
      assert.equal(answer.job_id, jobIdFor("roles-req-1"));
      await completed(answer.job_id);
      assert.deepEqual(s.violations(), [], "no refusal for the request or its answer");
    } finally {
      await submitter.close();
    }
  });

  it("given a running job, when a worker identity forges job.completed, then the server refuses it on the job subject and the orchestrator and projections ignore it on a task subject", async () => {
    const res = await api("/v1/agents/submit", {
      spec: "Write one line about forgery.\nFIXTURE: sleep 2500",
      count: 1,
    });
    const { job_id, task_ids } = (await res.json()) as { job_id: string; task_ids: string[] };
    const task = task_ids[0] ?? "";
    await until(
      async () =>
        (await events(Subjects.task(task))).some((e) => e.event.type === "task.started") ? true : undefined,
      30_000,
      "the generator running",
    );
    const forged = newEvent(
      "job.completed",
      { iterations_passed: 9, iterations_exhausted: 0, iterations_failed: 0, cost_usd: 0, reason: "budget" },
      { job_id, now: Date.now(), id: `forged-${job_id}` },
    );
    const publisher = new JetStreamEventStore(worker);
    await assert.rejects(publisher.append(Subjects.job(job_id), forged), isPermissionDenied);
    // Task subjects are shared by the orchestrator and workers: the server stores this one...
    const ack = await publisher.append(Subjects.task(task), forged);
    // ...and the orchestrator refuses it, saying why.
    const rejected = await until(async () => {
      const r = (await events(Subjects.rejected)).find(
        (e) => e.event.type === "message.rejected" && e.event.data.stream_seq === ack.seq,
      );
      return r?.event.type === "message.rejected" ? r.event.data : undefined;
    }, 30_000);
    assert.equal(rejected.consumer, "orchestrator");
    assert.match(rejected.reason, /job\.completed does not belong on agents\.task\./);
    // Once the projections are past it, the job is completed only if its real completion came first.
    await until(async () => {
      const q = (await (await api("/v1/agents/queues")).json()) as { checkpoint: number };
      return q.checkpoint >= ack.seq ? true : undefined;
    });
    const real = () =>
      events(Subjects.job(job_id)).then((es) => es.filter((e) => e.event.type === "job.completed"));
    const now = await status(job_id);
    if (now.job.status === "completed") assert.ok((await real()).length === 1, "completed by its own event");
    await completed(job_id);
    const completions = await real();
    assert.equal(completions.length, 1, "one job.completed on the job subject: the orchestrator's");
    assert.equal(
      completions[0]?.event.type === "job.completed" && completions[0].event.data.reason,
      "all_done",
    );
    assert.equal((await status(job_id)).job.reason, "all_done", "the projection kept the real completion");
    const info = await (await jetstreamManager(operator)).streams.info(STREAM_EVENTS);
    assert.ok(info.state.last_seq > ack.seq);
  });

  it("given the operator identity, when it publishes agents.control.stop, then the orchestrator records system.stopped", async () => {
    await jetstream(operator).publish(Subjects.controlStop, JSON.stringify({ reason: "operator drill" }));
    await until(
      async () =>
        (await events(Subjects.system)).some((e) => e.event.type === "system.stopped") ? true : undefined,
      30_000,
      "system.stopped",
    );
    await jetstream(operator).publish(Subjects.controlResume, JSON.stringify({ reason: "drill over" }));
  });
});
