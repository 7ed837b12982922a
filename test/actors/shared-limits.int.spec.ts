// Two real worker processes share one model's limits through NATS: together they never run more
// calls at once than the limit allows (not the limit each), and a task that waits says why.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Subjects } from "../../src/core/events/index.ts";
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

describe("given two worker processes and a model limited to 1 call at once for the fleet", () => {
  let stack: TestStack;
  let provider: OpenAIFixture;
  before(async () => {
    // Each answer takes 800 ms, so calls of two workers would overlap unless they share the limit.
    provider = await startOpenAIFixture({ delayMs: 800, reply });
    stack = await startStack();
    stack.startOrchestrator();
    const env = {
      AGENTS_EXECUTOR: "openai",
      OPENAI_BASE_URL: provider.url,
      AGENTS_MODEL_LIMITS: "fixture-model=1",
      AGENTS_WORKER_CONCURRENCY: "3",
    };
    const workers = [stack.startWorker(env), stack.startWorker(env)];
    // Both take work before anything is submitted, so both get some.
    await eventually(() => workers.every((w) => w.logs().includes("worker started")), 90_000); // two tsx start-ups on a loaded machine
  });
  after(async () => {
    await stack.stop();
    await provider.close();
  });

  it("when a job of 4 iterations runs on both, then the provider never sees two calls at once and tasks say they wait", async () => {
    const jobId = await stack.submit({
      spec: "Write one line about sharing.",
      count: 4,
      model: "fixture-model",
    });
    const jobEvents = await stack.waitFor(
      Subjects.job(jobId),
      (es) => ofType(es, "job.completed").length > 0,
      90_000,
    );
    assert.equal(ofType(jobEvents, "job.completed")[0]?.event.data.iterations_passed, 4);
    const all = (await stack.events(Subjects.tasks)).filter((e) => e.event.job_id === jobId);
    const workers = new Set(ofType(all, "task.started").map((e) => e.event.data.worker_id));
    assert.equal(workers.size, 2, "both workers ran tasks of the job");
    assert.equal(provider.requests, 8, "four generators and four critics, one call each");
    assert.equal(provider.maxInFlight, 1, "the two workers together held the model to one call at once");
    const waits = ofType(all, "task.progress").filter((e) =>
      /^waiting: model fixture-model is at its calls-at-once limit, until \d{4}-/.test(
        e.event.data.message ?? "",
      ),
    );
    assert.ok(waits.length > 0, "a task that waited for the model recorded why and until when");
    assert.equal(ofType(all, "task.failed").length, 0, "waiting is not a failure");
  });
});
