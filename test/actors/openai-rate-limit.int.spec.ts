import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Subjects } from "../../src/core/events/index.ts";
import { type OpenAIFixture, startOpenAIFixture } from "../fixtures/openai-server.ts";
import { ofType, startStack, type TestStack } from "../support/index.ts";

/** A passing critique for critic prompts; otherwise an answer made distinct by the prompt's hash. */
function reply(prompt: string): string {
  if (prompt.split("\n").some((l) => l.trim() === "ROLE: critic")) {
    return "compliance: 9\nuniqueness: 8\nquality: 9\nCritique: fixture: clear and on point.";
  }
  const words = createHash("sha256").update(prompt).digest("hex").match(/.{8}/g) ?? [];
  return `Fixture reply to: ${prompt.split("\n")[0] ?? ""}\n${words.join(" ")}`;
}

describe("given an OpenAI-compatible provider that accepts 3 requests per 3 s", () => {
  let stack: TestStack;
  let provider: OpenAIFixture;
  before(async () => {
    provider = await startOpenAIFixture({ requestsPerMinute: 3, windowMs: 3000, reply });
    stack = await startStack();
    stack.startOrchestrator();
    // Learning off: this covers the 429 path itself (learned limits are learned-limits.int.spec.ts),
    // and a limit of 3 learned from the headers would count over the default minute, not 3 s.
    stack.startWorker({
      AGENTS_EXECUTOR: "openai",
      OPENAI_BASE_URL: provider.url,
      AGENTS_MODEL_LIMITS_LEARN: "off",
    });
  });
  after(async () => {
    await stack.stop();
    await provider.close();
  });

  it("when a job of 4 iterations (8 requests) runs, then tasks slow down on 429s and all complete", async (t) => {
    // fixture-model routes to the OpenAI-compatible executor (not a Claude name).
    const jobId = await stack.submit({
      spec: "Write one line about patience.",
      count: 4,
      model: "fixture-model",
    });
    const jobEvents = await stack.waitFor(
      Subjects.job(jobId),
      (es) => ofType(es, "job.completed").length > 0,
      50_000,
    );
    t.diagnostic(`provider: ${provider.requests} requests, ${provider.rejected} rejected with 429`);
    assert.equal(ofType(jobEvents, "job.completed")[0]?.event.data.iterations_passed, 4);
    assert.ok(provider.rejected > 0, "the provider answered 429 at least once");

    const all = (await stack.events(Subjects.tasks)).filter((e) => e.event.job_id === jobId);
    const interrupted = ofType(all, "task.interrupted");
    assert.ok(interrupted.length > 0, "a rate-limited task was put back");
    for (const e of interrupted) assert.match(e.event.data.reason, /rate limit/);
    assert.equal(ofType(all, "task.dead_lettered").length, 0, "nothing dead-lettered");
    assert.equal(ofType(all, "task.failed").length, 0, "a 429 is not a failed attempt");
    const attempts = ofType(all, "task.started").map((e) => e.event.data.attempt);
    assert.ok(attempts.length > 8, "rate-limited tasks were started again");
    assert.deepEqual(new Set(attempts), new Set([1]), "and every start was still the first attempt");
    const created = ofType(all, "task.created").map((e) => e.event.task_id);
    assert.equal(created.length, 8, "four generators and four critics");
    const completions = ofType(all, "task.completed").map((e) => e.event.task_id);
    assert.deepEqual([...completions].sort(), [...created].sort(), "every task completed once");
    assert.equal(provider.requests - provider.rejected, 8, "one accepted request per task");
  });
});
