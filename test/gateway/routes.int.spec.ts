import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Subjects } from "../../src/core/events/index.ts";
import { taskIdFor } from "../../src/core/ids.ts";
import { eventually, type GatewayHarness, startGatewayHarness } from "./harness.ts";

describe("read and control routes against a running orchestrator and worker", () => {
  let h: GatewayHarness;
  let job: string;
  before(async () => {
    h = await startGatewayHarness({ actors: true });
  });
  after(() => h.stop());

  const get = (url: string) => h.app.inject({ url });
  const post = (url: string, payload: Record<string, unknown> = {}) =>
    h.app.inject({ method: "POST", url, payload });
  const jobStatus = async (id: string) => (await get(`/v1/agents/status/${id}`)).json().job?.status;

  it("given an emergency stop, when a job is submitted, then its result is 409 not ready", async () => {
    const stop = await post("/v1/agents/control/stop", { reason: "test stop" });
    assert.equal(stop.statusCode, 202);
    assert.equal(stop.json().subject, Subjects.controlStop);
    await eventually(async () =>
      (await h.events(Subjects.system)).some((e) => e.event.type === "system.stopped") ? true : undefined,
    );
    const res = await h.app.inject({
      method: "POST",
      url: "/v1/agents/submit",
      headers: { "idempotency-key": "routes-job" },
      payload: { spec: "Write two lines about routes.", count: 2 },
    });
    job = res.json().job_id;
    await eventually(async () =>
      (await get(`/v1/agents/status/${job}`)).statusCode === 200 ? true : undefined,
    );
    const result = await get(`/v1/agents/result/${job}`);
    assert.equal(result.statusCode, 409);
    assert.equal(result.json().error.code, "NOT_READY");
  });

  it("given resume, then the job completes and every result is readable", async () => {
    assert.equal((await post("/v1/agents/control/resume")).statusCode, 202);
    await eventually(
      async () => ((await jobStatus(job)) === "completed" ? true : undefined),
      30_000,
      "job completed",
    );
    const r = await get(`/v1/agents/result/${job}`);
    assert.equal(r.statusCode, 200, r.body);
    const iterations = r.json().job.iterations;
    assert.deepEqual(
      iterations.map((i: { iteration: number }) => i.iteration),
      [1, 2],
    );
    for (const it of iterations) assert.match(it.output, /offline echo executor/);
    const t = await get(`/v1/agents/result/${taskIdFor(job, 1, "generator", 0)}`);
    assert.equal(t.statusCode, 200);
    assert.equal(t.json().task.status, "completed");
    assert.match(t.json().task.output, /offline echo executor/);
  });

  it("a job's result comes a page at a time, in iteration order, following next_cursor", async () => {
    const whole = (await get(`/v1/agents/result/${job}`)).json().job;
    assert.equal(whole.next_cursor, null, "two iterations fit the default page");
    const first = (await get(`/v1/agents/result/${job}?limit=1`)).json().job;
    assert.deepEqual(
      first.iterations.map((i: { iteration: number }) => i.iteration),
      [1],
    );
    assert.equal(first.next_cursor, "1");
    assert.deepEqual(first.iterations[0], whole.iterations[0]);
    const second = (await get(`/v1/agents/result/${job}?limit=1&cursor=${first.next_cursor}`)).json().job;
    assert.deepEqual(second.iterations, [whole.iterations[1]]);
    assert.equal(second.next_cursor, null, "the last page says so");
    for (const bad of ["cursor=abc", "limit=0", "limit=501"]) {
      const r = await get(`/v1/agents/result/${job}?${bad}`);
      assert.equal(r.statusCode, 400, bad);
      assert.match(r.json().error.message, new RegExp(bad.split("=")[0] as string), bad);
    }
  });

  it("status answers for a job and a task, and 404 in the error shape for an unknown id", async () => {
    const s = (await get(`/v1/agents/status/${job}`)).json();
    assert.equal(s.kind, "job");
    assert.equal(s.job.iterations.passed, 2);
    assert.equal(s.job._key, undefined, "store bookkeeping is not shown");
    const t = (await get(`/v1/agents/status/${taskIdFor(job, 2, "generator", 0)}`)).json();
    assert.equal(t.kind, "task");
    assert.equal(t.task.type, "generator");
    const missing = await get("/v1/agents/status/no-such-thing");
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, "NOT_FOUND");
    assert.equal((await get("/v1/agents/status/bad.id")).statusCode, 400, "ids are subject tokens");
  });

  it("a job's tasks come a page at a time with a cursor", async () => {
    const first = (await get(`/v1/agents/jobs/${job}/tasks?limit=3`)).json();
    assert.equal(first.items.length, 3);
    assert.ok(first.next_cursor);
    const second = (await get(`/v1/agents/jobs/${job}/tasks?limit=3&cursor=${first.next_cursor}`)).json();
    const ids = [...first.items, ...second.items].map((t: { task_id: string }) => t.task_id);
    assert.equal(new Set(ids).size, ids.length, "no task twice");
    assert.equal(ids.length, 4, "two generators and two critics");
    assert.equal(second.next_cursor, null);
    assert.equal((await get(`/v1/agents/jobs/${job}/tasks?cursor=garbage`)).statusCode, 400);
    assert.equal((await get("/v1/agents/jobs/nobody/tasks")).statusCode, 404);
  });

  it("queues count tasks per queue × status; quality and costs come from the projections", async () => {
    const q = (await get("/v1/agents/queues")).json();
    assert.ok(q.queues.standard.completed >= 2);
    assert.ok(q.queues.critic.completed >= 2);
    assert.equal(q.queues.heavy.running, 0);
    const quality = (await get(`/v1/agents/quality?job=${job}`)).json();
    assert.equal(quality.averages.count, 2);
    assert.equal(quality.averages.quality, 9);
    const bySpec = (
      await get(`/v1/agents/quality?spec=${encodeURIComponent("Write two lines about routes.")}`)
    ).json();
    assert.equal(bySpec.entries.length, 2);
    assert.ok((await get("/v1/agents/costs")).json().models.length >= 1);
  });

  it("cancel publishes plain JSON on agents.control.cancel; an ended job is 409, an unknown id 404", async () => {
    // A job held in the queue by a paused queue (its tasks exist and wait), so it is still open when
    // cancelled. An emergency stop would hold it before any task exists: no wave is planned then.
    const pause = await post("/v1/agents/queues/standard/pause", { reason: "hold" });
    assert.equal(pause.statusCode, 202);
    await eventually(async () =>
      (await get("/v1/agents/system")).json().paused.length > 0 ? true : undefined,
    );
    const held = (
      await h.app.inject({
        method: "POST",
        url: "/v1/agents/submit",
        headers: { "idempotency-key": "routes-cancel" },
        payload: { spec: "Write one line about waiting.", count: 2 },
      })
    ).json().job_id;
    await eventually(async () => ((await jobStatus(held)) === "running" ? true : undefined));
    const task = taskIdFor(held, 1, "generator", 0);
    await eventually(async () =>
      (await get(`/v1/agents/status/${task}`)).json().task?.status === "queued" ? true : undefined,
    );
    const taskCancel = await post(`/v1/agents/${task}/cancel`);
    assert.equal(taskCancel.statusCode, 202);
    assert.deepEqual(taskCancel.json().command, { task_id: task });
    const res = await post(`/v1/agents/${held}/cancel`, { reason: "enough" });
    assert.equal(res.statusCode, 202);
    assert.deepEqual(res.json().command, { job_id: held, reason: "enough" });
    await eventually(async () => ((await jobStatus(held)) === "cancelled" ? true : undefined));
    assert.equal((await post("/v1/agents/queues/standard/unpause")).statusCode, 202);

    for (const ended of [job, taskIdFor(job, 1, "generator", 0), held]) {
      const again = await post(`/v1/agents/${ended}/cancel`);
      assert.equal(again.statusCode, 409, ended);
      assert.equal(again.json().error.code, "ALREADY_ENDED");
      assert.match(
        again.json().error.message,
        /has already ended \((completed|cancelled)\); nothing to cancel/,
      );
    }
    assert.equal((await post("/v1/agents/nobody/cancel")).statusCode, 404);
  });

  it("health, ready and metrics report NATS, the store, agent auth and the projections", async () => {
    const health = (await get("/health")).json();
    assert.equal(health.status, "ok");
    assert.equal(health.nats.connected, true);
    assert.equal(health.store.reachable, true);
    assert.equal(health.agent_auth.effective, "none");
    assert.equal(health.orchestrator.live, true, "the harness's orchestrator holds the lease");
    assert.match(health.orchestrator.holder, new RegExp(`-${process.pid}-`));
    await eventually(async () => ((await get("/ready")).statusCode === 200 ? true : undefined));
    const metrics = (await get("/metrics")).body;
    assert.match(metrics, /agents_projection_lag_events \d+/);
    assert.match(metrics, /agents_queue_tasks\{queue="standard",status="completed"\} \d+/);
    assert.match(
      metrics,
      /agents_http_requests_total\{method="GET",route="\/v1\/agents\/status\/:id",status="200"\}/,
    );
    assert.match(metrics, /process_cpu_seconds_total/);
  });
});
