// The routes the dashboard reads: jobs list, a job's iterations, a task's story, the system state
// with pause/unpause, and the quality and cost series, against a real nats-server, the embedded
// projections and an in-process orchestrator and worker running the offline echo executor.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { taskIdFor } from "../../src/core/ids.ts";
import { eventually, type GatewayHarness, startGatewayHarness } from "./harness.ts";

describe("dashboard routes against a running orchestrator and worker", () => {
  let h: GatewayHarness;
  const jobs: Record<string, string> = {};
  before(async () => {
    h = await startGatewayHarness({
      actors: true,
      env: { AGENTS_MAX_ATTEMPTS: "2", AGENTS_RETRY_BASE_MS: "100" },
    });
    const submit = async (name: string, payload: Record<string, unknown>) => {
      const res = await h.app.inject({
        method: "POST",
        url: "/v1/agents/submit",
        headers: { "idempotency-key": `dash-${name}` },
        payload,
      });
      assert.equal(res.statusCode, 202, res.body);
      jobs[name] = res.json().job_id;
    };
    await submit("poems", { spec: "Write three short poems about harbours.", count: 3 });
    await submit("lists", { spec: "List five uses of string.", count: 1 });
    // Never long enough: both attempts fail validation, the second with the first one's feedback.
    const validation = [{ type: "length", params: { min_length: 50_000 } }];
    await submit("long", { spec: "Write a very long essay.", count: 1, validation });
    for (const id of Object.values(jobs))
      await eventually(
        async () =>
          (await get(`/v1/agents/status/${id}`)).json().job?.status === "completed" ? true : undefined,
        30_000,
        `job ${id} completed`,
      );
  });
  after(() => h.stop());

  const get = (url: string) => h.app.inject({ url });
  const post = (url: string, payload?: Record<string, unknown>) =>
    h.app.inject({ method: "POST", url, ...(payload ? { payload } : {}) });

  it("given three jobs, when listed, then newest first, filtered, by ids and a page at a time", async () => {
    const all = (await get("/v1/agents/jobs")).json();
    assert.deepEqual(
      all.items.map((j: { job_id: string }) => j.job_id),
      [jobs.long, jobs.lists, jobs.poems],
    );
    assert.ok(all.checkpoint > 0);
    const poems = all.items[2];
    assert.deepEqual(
      [poems.status, poems.spec_excerpt, poems.count, poems.iterations.passed, poems.tasks_total],
      ["completed", "Write three short poems about harbours.", 3, 3, 6],
    );
    const ids = async (qs: string) =>
      (await get(`/v1/agents/jobs?${qs}`)).json().items.map((j: { job_id: string }) => j.job_id);
    assert.deepEqual(await ids("q=HARBOURS"), [jobs.poems]);
    assert.deepEqual(await ids("status=completed&q=string"), [jobs.lists]);
    assert.deepEqual(await ids("status=running"), []);
    assert.deepEqual(await ids(`ids=${jobs.poems},${jobs.long}`), [jobs.long, jobs.poems]);
    assert.deepEqual(await ids(`from=${poems.created_at}&to=${all.items[1].created_at}`), [jobs.poems]);
    const first = (await get("/v1/agents/jobs?limit=2")).json();
    assert.equal(first.items.length, 2);
    const second = (await get(`/v1/agents/jobs?limit=2&cursor=${first.next_cursor}`)).json();
    assert.deepEqual(
      second.items.map((j: { job_id: string }) => j.job_id),
      [jobs.poems],
    );
    assert.equal(second.next_cursor, null);
  });

  it("given bad list queries, then each is a 400 naming the field", async () => {
    for (const [qs, field] of [
      ["status=sleeping", "status"],
      ["cursor=nonsense", "cursor"],
      ["limit=0", "limit"],
      ["from=yesterday", "from"],
      ["from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z", "from"],
      ["ids=a,,b", "ids"],
    ] as const) {
      const res = await get(`/v1/agents/jobs?${qs}`);
      assert.equal(res.statusCode, 400, qs);
      assert.ok(
        res.json().error.fields.some((f: { path: string }) => f.path === field),
        `${qs}: ${res.body}`,
      );
    }
  });

  it("given a finished job, when its iterations are read, then newest first with tasks and critiques", async () => {
    const page = (await get(`/v1/agents/jobs/${jobs.poems}/iterations`)).json();
    assert.equal(page.job.job_id, jobs.poems);
    assert.deepEqual(
      page.iterations.map((i: { iteration: number }) => i.iteration),
      [3, 2, 1],
    );
    const one = page.iterations[2];
    assert.equal(one.outcome, "passed");
    assert.equal(one.best_task_id, taskIdFor(jobs.poems ?? "", 1, "generator", 0));
    assert.deepEqual(one.tasks.map((t: { type: string }) => t.type).sort(), ["critic", "generator"]);
    assert.equal(one.critiques.length, 1);
    assert.deepEqual(
      [one.critiques[0].compliance, one.critiques[0].uniqueness, one.critiques[0].quality],
      [9, 8, 9],
    );
    const p1 = (await get(`/v1/agents/jobs/${jobs.poems}/iterations?limit=2`)).json();
    assert.deepEqual(
      p1.iterations.map((i: { iteration: number }) => i.iteration),
      [3, 2],
    );
    const p2 = (
      await get(`/v1/agents/jobs/${jobs.poems}/iterations?limit=2&cursor=${p1.next_cursor}`)
    ).json();
    assert.deepEqual(
      [p2.iterations.map((i: { iteration: number }) => i.iteration), p2.next_cursor],
      [[1], null],
    );
    const picked = (await get(`/v1/agents/jobs/${jobs.poems}/iterations?iterations=1,3`)).json();
    assert.deepEqual(
      picked.iterations.map((i: { iteration: number }) => i.iteration),
      [3, 1],
    );
    assert.equal((await get(`/v1/agents/jobs/${jobs.poems}/iterations?cursor=zz`)).statusCode, 400);
    const task = taskIdFor(jobs.poems ?? "", 1, "generator", 0);
    assert.equal((await get(`/v1/agents/jobs/${task}/iterations`)).statusCode, 404);
  });

  it("given a completed generator, when its story is read, then prompt, attempt, output, critique and timeline are there", async () => {
    const id = taskIdFor(jobs.poems ?? "", 2, "generator", 0);
    const res = await get(`/v1/agents/tasks/${id}/story`);
    assert.equal(res.statusCode, 200, res.body);
    const s = res.json();
    assert.equal(s.task.status, "completed");
    assert.equal(s.job.job_id, jobs.poems);
    assert.match(s.prompt.text, /Write three short poems about harbours\./);
    assert.equal(s.attempts.length, 1);
    const a = s.attempts[0];
    assert.deepEqual([a.attempt, a.outcome, a.executor, a.model], [1, "completed", "echo", "echo"]);
    assert.equal(a.prompt.text.split("\n")[0], s.prompt.text.split("\n")[0]);
    assert.match(s.output.text, /offline echo executor/);
    assert.equal(s.output.truncated, false);
    assert.equal(s.critiques.length, 1);
    assert.equal(s.critiques[0].quality, 9);
    assert.match(s.critiques[0].critique, /fixed critique/);
    assert.ok(
      Array.isArray(s.progress),
      "progress lines come every AGENTS_PROGRESS_EVERY_MS; echo is quicker",
    );
    const types = s.timeline.map((e: { type: string }) => e.type);
    assert.deepEqual(
      types.slice(0, 2),
      ["task.created", "task.started"],
      "created queued (v2), then started",
    );
    assert.ok(types.includes("task.completed") && types.includes("critique.recorded"));
    assert.equal(
      typeof s.timeline[0].data.prompt,
      "object",
      "the created prompt is not repeated in the timeline",
    );
    assert.ok(s.artifacts.some((x: { kind: string }) => x.kind === "output"));
    const job = taskIdFor(jobs.poems ?? "", 1, "generator", 0).split("-")[0];
    assert.equal((await get(`/v1/agents/tasks/${job}/story`)).statusCode, 404);
  });

  it("given validation that never passes, when the story is read, then each attempt's exact prompt and failure are there", async () => {
    const id = taskIdFor(jobs.long ?? "", 1, "generator", 0);
    const s = (await get(`/v1/agents/tasks/${id}/story`)).json();
    assert.equal(s.task.status, "dead_lettered");
    assert.deepEqual(s.validation.specs, [{ type: "length", params: { min_length: 50_000 } }]);
    assert.deepEqual(
      s.validation.results.map((r: { attempt: number; passed: boolean }) => [r.attempt, r.passed]),
      [
        [1, false],
        [2, false],
      ],
    );
    assert.deepEqual(
      s.attempts.map((a: { outcome: string }) => a.outcome),
      ["validation_failed", "validation_failed"],
    );
    const [first, second] = s.attempts;
    assert.equal(first.prompt.ref, null, "attempt 1 ran the created prompt as it is");
    assert.match(second.prompt.ref, /^prompts\//, "attempt 2's prompt was stored: it carries feedback");
    assert.ok(second.prompt.text.startsWith(s.prompt.text.trim().slice(0, 40)));
    assert.ok(second.prompt.text.length > first.prompt.text.length);
    assert.ok(s.validation.results[0].feedback.length > 0);
    assert.ok(second.prompt.text.includes(s.validation.results[0].feedback.slice(0, 30)));
  });

  it("given stop, pause and resume, when the system state is read, then it follows what was recorded", async () => {
    const system = async () => (await get("/v1/agents/system")).json();
    assert.deepEqual([(await system()).stopped, (await system()).paused], [false, []]);
    assert.equal((await post("/v1/agents/control/stop", { reason: "lunch" })).statusCode, 202);
    const stopped = await eventually(async () => {
      const s = await system();
      return s.stopped ? s : undefined;
    });
    assert.equal(stopped.stop_reason, "lunch");
    assert.ok(Date.parse(stopped.stopped_since) > 0);
    const pause = await post("/v1/agents/queues/standard/pause", { reason: "provider maintenance" });
    assert.equal(pause.statusCode, 202, pause.body);
    assert.equal(pause.json().subject, "agents.control.pause");
    const paused = await eventually(async () => {
      const s = await system();
      return s.paused.length > 0 ? s : undefined;
    });
    assert.deepEqual(
      paused.paused.map((p: { queue: string; reason: string }) => [p.queue, p.reason]),
      [["standard", "provider maintenance"]],
    );
    const queues = (await get("/v1/agents/queues")).json();
    assert.equal(queues.stopped, true);
    assert.equal(queues.paused.standard.reason, "provider maintenance");
    assert.equal((await post("/v1/agents/queues/standard/unpause")).statusCode, 202);
    assert.equal((await post("/v1/agents/control/resume")).statusCode, 202);
    await eventually(async () => {
      const s = await system();
      return !s.stopped && s.paused.length === 0 ? true : undefined;
    });
    const bad = await post("/v1/agents/queues/nightly/pause");
    assert.equal(bad.statusCode, 400);
    assert.ok(
      bad.json().error.fields.some((f: { path: string }) => f.path === "queue"),
      bad.body,
    );
  });

  it("given critiques and runs, when the series are read, then one series per model or spec with averages", async () => {
    const quality = (await get("/v1/agents/quality/series?bucket=minute&group=model")).json();
    assert.equal(quality.bucket_ms, 60_000);
    assert.deepEqual(
      quality.series.map((s: { key: string }) => s.key),
      ["echo"],
    );
    const points = quality.series[0].points;
    assert.equal(
      points.reduce((n: number, p: { count: number }) => n + p.count, 0),
      4,
      "three poems and one list were judged",
    );
    for (const p of points) assert.deepEqual([p.compliance, p.uniqueness, p.quality], [9, 8, 9]);
    const bySpec = (await get("/v1/agents/quality/series?bucket=minute&group=spec")).json();
    assert.deepEqual(bySpec.series.map((s: { label: string }) => s.label).sort(), [
      "List five uses of string.",
      "Write three short poems about harbours.",
    ]);
    const onlyPoems = (await get(`/v1/agents/quality/series?bucket=minute&job=${jobs.poems}`)).json();
    assert.equal(
      onlyPoems.series[0].points.reduce((n: number, p: { count: number }) => n + p.count, 0),
      3,
    );
    const costs = (await get("/v1/agents/costs/series?bucket=minute")).json();
    assert.deepEqual(
      costs.series.map((s: { key: string }) => s.key),
      ["echo"],
    );
    const runs = costs.series[0].points.reduce((n: number, p: { runs: number }) => n + p.runs, 0);
    assert.equal(runs, 6 + 2 + 2, "poems 3×2, list 1×2, the long essay's two attempts");
    for (const [qs, field] of [
      ["from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z", "from"],
      ["bucket=minute&from=2020-01-01T00:00:00Z&to=2025-01-01T00:00:00Z", "from"],
      ["bucket=week", "bucket"],
      ["group=colour", "group"],
    ] as const) {
      const res = await get(`/v1/agents/costs/series?${qs}`);
      assert.equal(res.statusCode, 400, qs);
      assert.ok(
        res.json().error.fields.some((f: { path: string }) => f.path === field),
        res.body,
      );
    }
  });

  it("the new routes are in the OpenAPI document", async () => {
    const paths = Object.keys((await get("/openapi.json")).json().paths);
    for (const p of [
      "/v1/agents/jobs",
      "/v1/agents/jobs/{id}/iterations",
      "/v1/agents/tasks/{id}/story",
      "/v1/agents/system",
      "/v1/agents/queues/{queue}/pause",
      "/v1/agents/queues/{queue}/unpause",
      "/v1/agents/quality/series",
      "/v1/agents/costs/series",
    ])
      assert.ok(paths.includes(p), p);
  });
});
