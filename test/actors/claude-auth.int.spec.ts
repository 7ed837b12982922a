// Credentials the provider refuses, through a real worker process: the fake Claude CLI answers
// `auth status` as logged in (a token is set) but every run is refused with the real CLI's
// authentication_failed shape (a 401; the not-logged-in variant was recorded from claude 2.1.333;
// messages typed against the claude-agent-sdk). One attempt, a reason that says so, the worker
// reports it (/health degraded, the metrics) and takes no more Claude work, while OpenAI work goes on.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Subjects } from "../../src/core/events/index.ts";
import { type OpenAIFixture, startOpenAIFixture } from "../fixtures/openai-server.ts";
import { attachGateway } from "../gateway/harness.ts";
import { eventually, ofType, queuings, startStack, type TestStack } from "../support/index.ts";

/** A run of the fake CLI starts a tsx process: on a loaded machine a job of several runs takes a while. */
const BUDGET_MS = 90_000;

describe("given a worker whose Claude credentials are refused (an expired token) and an OpenAI endpoint that works", () => {
  let stack: TestStack;
  let provider: OpenAIFixture;
  let gateway: Awaited<ReturnType<typeof attachGateway>>;
  before(async () => {
    provider = await startOpenAIFixture();
    stack = await startStack();
    stack.startOrchestrator();
    stack.startWorker({
      AGENTS_EXECUTOR: "claude,openai",
      OPENAI_BASE_URL: provider.url,
      FIXTURE_AUTH: "expired",
      AGENTS_AGENT_ENV: "FIXTURE_LOG,FIXTURE_STATE_DIR,FIXTURE_AUTH",
    });
    gateway = await attachGateway(stack.nc);
  });
  after(async () => {
    await gateway?.stop();
    await stack.stop();
    await provider.close();
  });

  const health = async () =>
    (await gateway.app.inject({ method: "GET", url: "/health" })).json() as {
      status: string;
      workers: { live: number; auth_failed: Array<{ route: string; detail: string }> };
    };

  it("before any run, then /health is ok: the local check says the CLI is logged in", async () => {
    await eventually(async () => (await health()).workers.live === 1, 30_000);
    const h = await health();
    assert.deepEqual(h.workers.auth_failed, []);
  });

  it("when a Claude task runs, then it fails once with reason auth, is dead-lettered at once, and /health is degraded naming claude", async () => {
    const jobId = await stack.submit({ spec: "Write one line about keys.", count: 1, model: "sonnet" });
    const task = `${jobId}-i1-g`;
    const events = await stack.waitFor(
      Subjects.task(task),
      (es) => ofType(es, "task.dead_lettered").length > 0,
      BUDGET_MS,
    );
    const failed = ofType(events, "task.failed");
    assert.equal(failed.length, 1, "one attempt, not three");
    assert.equal(failed[0]?.event.data.reason, "auth");
    assert.equal(failed[0]?.event.data.permanent, true);
    assert.match(
      failed[0]?.event.data.error ?? "",
      /claude could not authenticate \(authentication_failed\).*OAuth token has expired.*claude setup-token/,
    );
    assert.equal(ofType(events, "task.retry_scheduled").length, 0);
    assert.match(
      ofType(events, "task.dead_lettered")[0]?.event.data.last_error ?? "",
      /^auth: claude could not authenticate/,
    );

    await eventually(async () => (await health()).status === "degraded", BUDGET_MS);
    const h = await health();
    assert.equal(h.workers.auth_failed[0]?.route, "claude");
    assert.match(h.workers.auth_failed[0]?.detail ?? "", /OAuth token has expired/);
    const metrics = (await gateway.app.inject({ method: "GET", url: "/metrics" })).body;
    assert.match(
      metrics,
      /^agents_executor_auth_state\{worker="[^"]+",route="claude",executor="claude",state="failed"\} 0$/m,
    );
    assert.match(metrics, /^agents_executor_available\{worker="[^"]+",route="claude"\} 0$/m);
    assert.match(metrics, /^agents_executor_available\{worker="[^"]+",route="openai"\} 1$/m);
  });

  it("then the worker takes no more Claude work, while OpenAI work still runs to the end", async () => {
    const runsBefore = (await stack.agentRuns()).length;
    const claudeJob = await stack.submit({ spec: "Write one line about locks.", count: 1, model: "sonnet" });
    const openaiJob = await stack.submit({ spec: "Write one line about doors.", count: 1, model: "gpt-4o" });
    await stack.waitFor(Subjects.job(openaiJob), (es) => ofType(es, "job.completed").length > 0, BUDGET_MS);
    // The Claude task has been waiting on its lanes all the while.
    await sleep(1000);
    const claudeTask = await stack.events(Subjects.task(`${claudeJob}-i1-g`));
    assert.deepEqual(
      claudeTask.map((e) => e.event.type),
      ["task.created"],
      "created queued, never started",
    );
    assert.equal((await stack.agentRuns()).length, runsBefore, "the Claude CLI was not run again");
  });
});

// The real CLI without a login: `auth status` may still pass (a stale credentials file), but the run
// answers `subtype: "success"`, `is_error: true`, "Not logged in · Please run /login", exit 1 and
// nothing on stderr (recorded from claude 2.1.x; the fixture's messages are typed against the SDK).
describe("given a worker whose Claude CLI answers a run with Not logged in", () => {
  let stack: TestStack;
  let gateway: Awaited<ReturnType<typeof attachGateway>>;
  before(async () => {
    stack = await startStack();
    stack.startOrchestrator();
    stack.startWorker({ AGENTS_EXECUTOR: "claude" });
    gateway = await attachGateway(stack.nc);
  });
  after(async () => {
    await gateway?.stop();
    await stack.stop();
  });

  it("when a task runs, then one attempt fails with a reason that says to log in, /health is degraded, and no more Claude work is taken", async () => {
    const jobId = await stack.submit({
      spec: "Write one line about logins.\nFIXTURE: not-logged-in",
      count: 1,
      model: "sonnet",
    });
    const events = await stack.waitFor(
      Subjects.task(`${jobId}-i1-g`),
      (es) => ofType(es, "task.dead_lettered").length > 0,
      BUDGET_MS,
    );
    const failed = ofType(events, "task.failed");
    assert.equal(failed.length, 1, "one attempt, not three");
    assert.equal(failed[0]?.event.data.reason, "auth");
    assert.match(failed[0]?.event.data.error ?? "", /Not logged in · Please run \/login/);
    assert.equal(ofType(events, "task.retry_scheduled").length, 0);
    const health = async () =>
      (await gateway.app.inject({ method: "GET", url: "/health" })).json() as {
        status: string;
        workers: { auth_failed: Array<{ route: string; detail: string }> };
      };
    await eventually(async () => (await health()).status === "degraded", BUDGET_MS);
    const h = await health();
    assert.equal(h.workers.auth_failed[0]?.route, "claude");
    assert.match(h.workers.auth_failed[0]?.detail ?? "", /Not logged in/);

    const runsBefore = (await stack.agentRuns()).length;
    const next = await stack.submit({ spec: "Write one line about doors.", count: 1, model: "sonnet" });
    await stack.waitFor(Subjects.task(`${next}-i1-g`), (es) => queuings(es).length > 0, BUDGET_MS);
    // The worker's status says it takes no Claude work; give it a moment to prove it.
    await sleep(1500);
    const types = (await stack.events(Subjects.task(`${next}-i1-g`))).map((e) => e.event.type);
    assert.deepEqual(types, ["task.created"], "created queued, never started");
    assert.equal((await stack.agentRuns()).length, runsBefore, "the Claude CLI was not run again");
  });
});
