// A Claude subscription's usage limit, as the real CLI reports it (result `subtype: "success"`,
// `is_error: true`, `api_error_status: 429`, an assistant message with `error: "rate_limit"` and a
// `rate_limit_event` rejected with `resetsAt`; every message typed against the claude-agent-sdk in
// test/fixtures/claude-messages.ts), through a real worker process: the task waits until the reset,
// using no attempt, or goes on to a model of another executor (the OpenAI fixture, whose bodies are
// typed against the openai package).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Subjects } from "../../src/core/events/index.ts";
import { listWorkerStatuses, openWorkerStatuses } from "../../src/nats/worker-status.ts";
import { type OpenAIFixture, startOpenAIFixture } from "../fixtures/openai-server.ts";
import { eventually, ofType, startStack, type TestStack } from "../support/index.ts";

/** A run of the fake CLI starts a tsx process: on a loaded machine a job of several runs takes a while. */
const BUDGET_MS = 90_000;

describe("given a worker hosting the Claude CLI and an OpenAI-compatible endpoint", () => {
  let stack: TestStack;
  let provider: OpenAIFixture;
  before(async () => {
    provider = await startOpenAIFixture();
    stack = await startStack();
    stack.startOrchestrator();
    stack.startWorker({ AGENTS_EXECUTOR: "claude,openai", OPENAI_BASE_URL: provider.url });
  });
  after(async () => {
    await stack.stop();
    await provider.close();
  });

  it("when the subscription's usage limit is hit, then the task waits until resetsAt, uses no attempt, and completes after", async () => {
    const jobId = await stack.submit({
      spec: "Write one line about tides.\nFIXTURE: usage-limit-once 8 tides-limit",
      count: 1,
      model: "sonnet",
    });
    const events = await stack.waitFor(
      Subjects.all,
      (es) => ofType(es, "job.completed").some((e) => e.event.job_id === jobId),
      BUDGET_MS,
    );
    const generator = `${jobId}-i1-g`;
    const own = events.filter((e) => e.event.task_id === generator);
    const [waiting] = ofType(own, "task.interrupted");
    assert.ok(waiting, "the limited task was interrupted");
    assert.equal(waiting.event.data.cause, "usage_limit");
    assert.match(waiting.event.data.reason, /usage limit of claude reached .*waiting until/);
    const until = Date.parse(waiting.event.data.waiting_until ?? "");
    const at = Date.parse(waiting.event.occurred_at);
    // The fixture says resetsAt = now + 8 s; the event is written a little after.
    assert.ok(until > at && until - at <= 9000, `waits for the reset (${until - at} ms after)`);
    assert.equal(ofType(own, "task.failed").length, 0, "a usage limit is not a failed attempt");
    assert.equal(ofType(own, "task.dead_lettered").length, 0);
    const starts = ofType(own, "task.started");
    assert.deepEqual(
      starts.map((s) => s.event.data.attempt),
      [1, 1],
      "run again on the same attempt",
    );
    assert.ok(Date.parse(starts[1]?.event.occurred_at ?? "") >= until - 100, "not before the reset");
    assert.equal(ofType(own, "task.completed").length, 1);
  });

  it("when the usage limit hits a task whose chain goes on to gpt-4o, then the OpenAI endpoint completes it at once", async () => {
    const jobId = await stack.submit({
      spec: "Write one line about harbours.\nFIXTURE: usage-limit 4",
      count: 1,
      model: "sonnet",
      fallback_models: ["gpt-4o"],
    });
    const events = await stack.waitFor(
      Subjects.all,
      (es) => ofType(es, "job.completed").some((e) => e.event.job_id === jobId),
      BUDGET_MS,
    );
    const generator = `${jobId}-i1-g`;
    const own = events.filter((e) => e.event.task_id === generator);
    const [moved] = ofType(own, "task.interrupted");
    assert.equal(moved?.event.data.model, "gpt-4o");
    assert.equal(moved?.event.data.redispatch, true, "sent on to the openai lanes");
    assert.match(moved?.event.data.reason ?? "", /falling back to gpt-4o/);
    assert.deepEqual(
      ofType(own, "task.started").map((s) => [
        s.event.data.attempt,
        s.event.data.executor,
        s.event.data.model,
      ]),
      [
        [1, "claude", "sonnet"],
        [1, "openai", "gpt-4o"],
      ],
    );
    const [done] = ofType(own, "task.completed");
    assert.equal(done?.event.data.model, "gpt-4o");
    assert.match(done?.event.data.excerpt ?? "", /^Fixture reply to: ROLE: generator/);
    assert.ok(provider.calls.some((c) => c.model === "gpt-4o" && c.prompt.includes("harbours")));
    assert.equal(ofType(own, "task.failed").length, 0, "no attempt used");
    const [completed] = ofType(events, "job.completed").filter((e) => e.event.job_id === jobId);
    assert.equal(completed?.event.data.iterations_passed, 1);
  });

  it("when a usage limit holds the Claude executor, then the worker's published status says until when", async () => {
    await stack.submit({
      spec: "Write one line about locks.\nFIXTURE: usage-limit 30",
      count: 1,
      model: "haiku",
    });
    const kv = await openWorkerStatuses(stack.nc);
    const claudeStatus = async () =>
      (await listWorkerStatuses(stack.nc, kv))[0]?.executors.find((x) => x.route === "claude");
    // (An earlier test's hold of a few seconds may still be listed: wait for this one's.)
    await eventually(
      async () => Date.parse((await claudeStatus())?.held_until ?? "") > Date.now() + 10_000,
      30_000,
    );
    const claude = await claudeStatus();
    assert.ok(claude, JSON.stringify(await listWorkerStatuses(stack.nc, kv)));
    assert.equal(claude.available, false);
    assert.match(claude.hold_reason ?? "", /usage limit of claude reached/);
    assert.ok(Date.parse(claude.held_until ?? "") > Date.now() + 10_000);
    const [w] = await listWorkerStatuses(stack.nc, kv);
    const openai = w?.executors.find((x) => x.route === "openai");
    assert.equal(openai?.available, true, "the OpenAI executor still takes work");
    assert.equal(w?.executors.find((x) => x.route === "claude")?.limits?.haiku?.status, "rejected");
  });
});
