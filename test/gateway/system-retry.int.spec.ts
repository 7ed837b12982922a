// The recorded system state as the gateway shows it (/health, the queues route, a warning on submit)
// and POST /v1/agents/tasks/{id}/retry, against a real nats-server, the embedded projections and an
// in-process orchestrator and worker running the offline echo executor.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { taskIdFor } from "../../src/core/ids.ts";
import { eventually, type GatewayHarness, startGatewayHarness } from "./harness.ts";

describe("system state and retry through the gateway", () => {
  let h: GatewayHarness;
  before(async () => {
    // One attempt: a task whose validation fails is dead-lettered at once.
    h = await startGatewayHarness({ actors: true, env: { AGENTS_MAX_ATTEMPTS: "1" } });
  });
  after(() => h.stop());

  const get = (url: string) => h.app.inject({ url });
  const post = (url: string, payload?: Record<string, unknown>) =>
    h.app.inject({ method: "POST", url, ...(payload ? { payload } : {}) });
  const jobStatus = async (id: string) => (await get(`/v1/agents/status/${id}`)).json().job?.status;

  it("given an emergency stop, then /health and the queues route show it, a submission is accepted with a warning, and it runs after the resume", async () => {
    const health = (await get("/health")).json();
    assert.equal(health.system.stopped, false);
    assert.equal((await post("/v1/agents/control/stop", { reason: "provider outage" })).statusCode, 202);
    const stopped = await eventually(async () => {
      const b = (await get("/health")).json();
      return b.system?.stopped ? b : undefined;
    });
    // A stop is not ill health: everything is up, and it says nothing runs.
    assert.equal(stopped.status, "ok");
    assert.equal(stopped.system.stop_reason, "provider outage");
    assert.ok(Date.parse(stopped.system.stopped_since) > 0);
    const queues = (await get("/v1/agents/queues")).json();
    assert.deepEqual([queues.stopped, queues.stop_reason], [true, "provider outage"]);
    assert.equal(queues.stopped_since, stopped.system.stopped_since);

    const sub = await post("/v1/agents/submit", { spec: "Write one line about waiting.", count: 1 });
    assert.equal(sub.statusCode, 202, sub.body);
    assert.match(sub.json().warning, /emergency stop is in force .*provider outage/);
    const jobId: string = sub.json().job_id;
    await eventually(async () => ((await jobStatus(jobId)) === "running" ? true : undefined));

    assert.equal((await post("/v1/agents/control/resume", { reason: "back" })).statusCode, 202);
    await eventually(async () => ((await jobStatus(jobId)) === "completed" ? true : undefined), 30_000);
    const running = await post("/v1/agents/submit", { spec: "Write one line about going.", count: 1 });
    assert.equal(running.json().warning, undefined, "no warning while running");
    assert.equal((await get("/health")).json().system.stopped, false);
  });

  it("given a dead-lettered task, when retried through the route, then the job re-opens and the task runs once more; anything else is refused", async () => {
    const validation = [{ type: "length", params: { min_length: 50_000 } }];
    const sub = await post("/v1/agents/submit", { spec: "Write a very long essay.", count: 1, validation });
    const jobId: string = sub.json().job_id;
    const taskId = taskIdFor(jobId, 1, "generator", 0);
    await eventually(async () => ((await jobStatus(jobId)) === "completed" ? true : undefined), 30_000);
    const task = async () => (await get(`/v1/agents/status/${taskId}`)).json().task;
    assert.equal((await task()).status, "dead_lettered");

    const unknown = await post(`/v1/agents/tasks/${jobId}-i9-g/retry`);
    assert.equal(unknown.statusCode, 404, unknown.body);
    const bad = await post("/v1/agents/tasks/not%20an%20id/retry");
    assert.equal(bad.statusCode, 400, bad.body);
    const extra = await post(`/v1/agents/tasks/${taskId}/retry`, { reason: "x", force: true });
    assert.equal(extra.statusCode, 400, extra.body);

    const res = await post(`/v1/agents/tasks/${taskId}/retry`, { reason: "try once more" });
    assert.equal(res.statusCode, 202, res.body);
    assert.deepEqual(
      [res.json().subject, res.json().command],
      ["agents.control.retry", { task_id: taskId, reason: "try once more" }],
    );
    // The echo output is still too short: the second attempt is dead-lettered again, after a re-open.
    await eventually(async () => {
      const t = await task();
      return t.attempts === 2 && t.status === "dead_lettered" ? true : undefined;
    }, 30_000);
    const jobEvents = await h.events(`agents.job.${jobId}`);
    const reopened = jobEvents.filter((e) => e.event.type === "job.reopened");
    assert.equal(reopened.length, 1);
    assert.equal(jobEvents.filter((e) => e.event.type === "job.completed").length, 2);
    const taskEvents = (await h.events(`agents.task.${taskId}`)).map((e) => e.event.type);
    assert.ok(taskEvents.includes("task.requeued"), taskEvents.join(", "));

    // A task that is not dead-lettered (here one that completed) is refused with 409.
    const done = await post("/v1/agents/submit", { spec: "Write one line about done.", count: 1 });
    const doneId = taskIdFor(done.json().job_id, 1, "generator", 0);
    await eventually(
      async () => ((await jobStatus(done.json().job_id)) === "completed" ? true : undefined),
      30_000,
    );
    const refused = await post(`/v1/agents/tasks/${doneId}/retry`);
    assert.equal(refused.statusCode, 409, refused.body);
    assert.match(refused.json().error.message, /only a dead_lettered task can be retried/);
  });

  it("the retry route is in the OpenAPI document", async () => {
    const doc = (await get("/openapi.json")).json();
    assert.ok(doc.paths["/v1/agents/tasks/{id}/retry"]?.post, "retry route documented");
  });
});
