import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Subjects } from "../../src/core/events/index.ts";
import { jobIdFor } from "../../src/core/ids.ts";
import type { StoredEvent } from "../../src/core/ports/event-store.ts";
import { readSse } from "../gateway/sse-reader.ts";
import { startUp, type UpStack, until } from "./support.ts";

const TERMINAL = new Set(["job.completed", "job.cancelled", "job.rejected"]);
const ofJob = (job: string) => (e: StoredEvent) =>
  e.event.job_id === job || (e.event.task_id ?? "").startsWith(`${job}-`);

describe("agents up: the gateway over a running stack", () => {
  let s: UpStack;
  before(async () => {
    s = await startUp();
  });
  after(() => s.stop());

  const submit = async (body: Record<string, unknown>, key?: string) => {
    const res = await s.api("POST", "/v1/agents/submit", body, key ? { "idempotency-key": key } : {});
    assert.equal(res.status, 202, await res.clone().text());
    return (await res.json()) as { job_id: string; task_ids: string[]; events_url: string };
  };

  it("given a REST submission, when SSE is followed until the job completes, then every result is readable", async () => {
    const job = await submit(
      { spec: "Write one line about rivers.\nFIXTURE: sleep 200", count: 3 },
      "e2e-rest",
    );
    assert.equal(job.task_ids.length, 3);
    // Read until the gateway closes the stream: a job's stream ends with the job, with an `end` frame.
    const got = await readSse(`${s.url}${job.events_url}`, () => false, {}, 60_000);
    assert.equal(got.at(-1)?.event, "end", "the stream closed by itself after the job ended");
    assert.deepEqual(JSON.parse(got.at(-1)?.data ?? "{}").status, "completed");
    assert.ok(got.some((m) => m.event === "job.completed"));
    const types = got.map((m) => m.event);
    assert.ok(types.includes("task.started") && types.includes("critique.recorded"), types.join(","));
    const result = await until(async () => {
      const r = await s.api("GET", `/v1/agents/result/${job.job_id}`);
      return r.status === 200
        ? ((await r.json()) as { job: { iterations: Array<{ output: string }> } })
        : undefined;
    });
    assert.equal(result.job.iterations.length, 3);
    for (const it of result.job.iterations) assert.match(it.output, /Fixture answer for: ROLE: generator/);
    const completedTasks = got
      .filter((m) => m.event === "task.completed")
      .map((m) => JSON.parse(m.data).task_id);
    assert.ok(completedTasks.length >= 6, "three generators and three critics");
    for (const task of completedTasks) {
      const r = await s.api("GET", `/v1/agents/result/${task}`);
      assert.equal(r.status, 200, task);
    }
  });

  it("given an SSE client that disconnects mid-job, when it resumes with Last-Event-ID, then it misses and repeats nothing", async () => {
    const job = await submit(
      { spec: "Write one line about tides.\nFIXTURE: sleep 400", count: 4 },
      "e2e-resume",
    );
    const first = await readSse(`${s.url}${job.events_url}`, (m) => m.length >= 5, {}, 30_000);
    assert.equal(first.length, 5);
    await new Promise((r) => setTimeout(r, 1500));
    const second = await readSse(
      `${s.url}${job.events_url}`,
      (m) => TERMINAL.has(m.at(-1)?.event ?? ""),
      { "last-event-id": String(first.at(-1)?.id) },
      60_000,
    );
    assert.ok(
      second.length > 0 && !TERMINAL.has(first.at(-1)?.event ?? ""),
      "the job went on while disconnected",
    );
    const ids = [...first, ...second].map((m) => m.id as number);
    const last = ids.at(-1) as number;
    const expected = (await s.events())
      .filter(ofJob(job.job_id))
      .map((e) => e.seq)
      .filter((q) => q <= last);
    assert.deepEqual(ids, expected, "exactly the stream's sequences for the job, in order");
  });

  it("given the same Idempotency-Key twice, then one job", async () => {
    const a = await submit({ spec: "Write one line about keys.", count: 1 }, "e2e-same-key");
    const b = await submit({ spec: "Write one line about keys.", count: 1 }, "e2e-same-key");
    assert.equal(a.job_id, b.job_id);
    await until(async () => {
      const r = await s.api("GET", `/v1/agents/status/${a.job_id}`);
      return r.status === 200 && ((await r.json()) as { job: { status: string } }).job.status === "completed"
        ? true
        : undefined;
    });
    const submitted = (await s.events(Subjects.job(a.job_id))).filter(
      (e) => e.event.type === "job.submitted",
    );
    assert.equal(submitted.length, 1);
  });

  it("given plain-JSON core NATS publishes, then a job appears over REST, stop halts workers and REST resume restarts them", async () => {
    s.nc.publish(
      Subjects.submit,
      JSON.stringify({ spec: "One line from NATS.", count: 1, idempotency_key: "e2e-nats" }),
    );
    const natsJob = jobIdFor("e2e-nats");
    await until(async () => {
      const r = await s.api("GET", `/v1/agents/status/${natsJob}`);
      return r.status === 200 && ((await r.json()) as { job: { status: string } }).job.status === "completed"
        ? true
        : undefined;
    });

    s.nc.publish(Subjects.controlStop, JSON.stringify({ reason: "e2e emergency stop" }));
    await until(async () =>
      (await s.events(Subjects.system)).some((e) => e.event.type === "system.stopped") ? true : undefined,
    );
    const job = await submit({ spec: "Write one line while stopped.", count: 2 }, "e2e-stopped");
    await until(async () =>
      (await s.api("GET", `/v1/agents/status/${job.job_id}`)).status === 200 ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 2500));
    const whileStopped = (await s.events()).filter(ofJob(job.job_id));
    assert.equal(
      whileStopped.filter((e) => e.event.type === "task.started").length,
      0,
      "no task.started while stopped",
    );

    const resume = await s.api("POST", "/v1/agents/control/resume", { reason: "e2e" });
    assert.equal(resume.status, 202);
    const resumeSeq = ((await resume.json()) as { seq: number }).seq;
    await until(async () => {
      const r = await s.api("GET", `/v1/agents/status/${job.job_id}`);
      return ((await r.json()) as { job: { status: string } }).job.status === "completed" ? true : undefined;
    }, 60_000);
    const started = (await s.events())
      .filter(ofJob(job.job_id))
      .filter((e) => e.event.type === "task.started");
    assert.ok(started.length >= 2);
    for (const e of started) assert.ok(e.seq > resumeSeq, "tasks started only after resume");
  });
});
