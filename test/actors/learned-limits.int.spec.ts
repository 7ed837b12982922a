// Real worker processes learn a model's limits from the provider's x-ratelimit-* headers when no
// AGENTS_MODEL_LIMITS entry names it: the OpenAI fixture enforces limits nobody told the limiter
// (answering 429 past them), the workers share what any of them heard through the agents-limits KV
// state, keep the 429s rare, and follow the advertised limit when it goes down and up again. The
// headers are the fixture's, shaped as OpenAI sends them (x-ratelimit-{limit,remaining,reset}-*).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Subjects } from "../../src/core/events/index.ts";
import { readAllLimits } from "../../src/nats/limits-store.ts";
import { type OpenAIFixture, startOpenAIFixture } from "../fixtures/openai-server.ts";
import { eventually, ofType, startStack, type TestStack } from "../support/index.ts";

/** A passing critique for critic prompts; otherwise an answer made distinct by the prompt's hash. */
function reply(prompt: string): string {
  if (prompt.split("\n").some((l) => l.trim() === "ROLE: critic")) {
    return "compliance: 9\nuniqueness: 8\nquality: 9\nCritique: fixture: clear and on point.";
  }
  const words = createHash("sha256").update(prompt).digest("hex").match(/.{8}/g) ?? [];
  return `Fixture reply to: ${prompt.split("\n")[0] ?? ""}\n${words.join(" ")}`;
}

/** The provider's window, and the limiter's (AGENTS_MODEL_LIMITS_WINDOW_MS): short, so a test sees several. */
const WINDOW_MS = 3_000;

async function learned(stack: TestStack, model: string) {
  return (await readAllLimits(stack.nc)).find((m) => m.model === model)?.state.learned;
}

async function runJob(stack: TestStack, count: number, spec: string): Promise<string> {
  const jobId = await stack.submit({ spec, count, model: "fixture-model" });
  const events = await stack.waitFor(
    Subjects.job(jobId),
    (es) => ofType(es, "job.completed").length > 0,
    120_000,
  );
  assert.equal(ofType(events, "job.completed")[0]?.event.data.iterations_passed, count);
  return jobId;
}

describe("given two worker processes, no limit set for the model, and a provider enforcing 4 requests per window", () => {
  let stack: TestStack;
  let provider: OpenAIFixture;
  before(async () => {
    provider = await startOpenAIFixture({
      requestsPerMinute: 4,
      tokensPerMinute: 100_000,
      windowMs: WINDOW_MS,
      reply,
    });
    stack = await startStack();
    stack.startOrchestrator();
    const env = {
      AGENTS_EXECUTOR: "openai",
      OPENAI_BASE_URL: provider.url,
      AGENTS_MODEL_LIMITS_WINDOW_MS: String(WINDOW_MS),
      AGENTS_WORKER_CONCURRENCY: "1",
    };
    const workers = [stack.startWorker(env), stack.startWorker(env)];
    await eventually(() => workers.every((w) => w.logs().includes("worker started")), 90_000); // two tsx start-ups on a loaded machine
  });
  after(async () => {
    await stack.stop();
    await provider.close();
  });

  it("when a job of 8 iterations runs, then the limit is learned from the headers, shared, and 429s stay rare", async () => {
    const jobId = await runJob(stack, 8, "Write one line about learning limits.");
    const known = await learned(stack, "fixture-model");
    assert.equal(known?.rpm, 4, "the requests per window the headers said, though no one set them");
    assert.equal(known?.tpm, 100_000);
    const accepted = provider.requests - provider.rejected;
    assert.ok(accepted >= 16, `eight generators and eight critics answered (${accepted})`);
    // Only calls started before the first answer said the limit can pass it; after that the shared
    // learned limit (and the hold a spent window asks for) keeps the fleet under it.
    assert.ok(provider.rejected <= 2, `at most 2 of ${provider.requests} requests answered 429`);
    const all = (await stack.events(Subjects.tasks)).filter((e) => e.event.job_id === jobId);
    const workers = new Set(ofType(all, "task.started").map((e) => e.event.data.worker_id));
    assert.equal(workers.size, 2, "both workers ran tasks of the job");
    assert.equal(ofType(all, "task.failed").length, 0);
  });
});

describe("given one worker, no limit set, and a provider whose advertised limit changes", () => {
  let stack: TestStack;
  let provider: OpenAIFixture;
  before(async () => {
    provider = await startOpenAIFixture({
      requestsPerMinute: 50,
      tokensPerMinute: 40_000,
      windowMs: WINDOW_MS,
      reply,
    });
    stack = await startStack();
    stack.startOrchestrator();
    const w = stack.startWorker({
      AGENTS_EXECUTOR: "openai",
      OPENAI_BASE_URL: provider.url,
      AGENTS_MODEL_LIMITS_WINDOW_MS: String(WINDOW_MS),
    });
    await eventually(() => w.logs().includes("worker started"), 90_000); // a tsx start-up on a loaded machine
  });
  after(async () => {
    await stack.stop();
    await provider.close();
  });

  it("when it says lower and then higher, then the learned limit follows it down and up", async () => {
    await runJob(stack, 1, "Write one line at the first limit.");
    assert.equal((await learned(stack, "fixture-model"))?.rpm, 50);
    assert.equal((await learned(stack, "fixture-model"))?.tpm, 40_000);
    provider.setLimits({ requestsPerMinute: 20, tokensPerMinute: 15_000 });
    await runJob(stack, 1, "Write one line at the lower limit.");
    assert.equal((await learned(stack, "fixture-model"))?.rpm, 20);
    assert.equal((await learned(stack, "fixture-model"))?.tpm, 15_000);
    provider.setLimits({ requestsPerMinute: 80, tokensPerMinute: 60_000 });
    await runJob(stack, 1, "Write one line at the higher limit.");
    assert.equal((await learned(stack, "fixture-model"))?.rpm, 80);
    assert.equal((await learned(stack, "fixture-model"))?.tpm, 60_000);
  });
});
