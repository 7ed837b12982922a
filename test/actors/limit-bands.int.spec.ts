// Priority bands under a model's limit, with a real worker process: a model allowed one call at once
// for the fleet, generators (normal band) waiting for it, and critics (high band) arriving later. The
// limiter gives each freed place to the best band waiting, so critics do not queue behind every
// generator that asked first.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Subjects } from "../../src/core/events/index.ts";
import { type OpenAIFixture, startOpenAIFixture } from "../fixtures/openai-server.ts";
import { eventually, ofType, startStack, type TestStack } from "../support/index.ts";

const isCritic = (prompt: string) => prompt.split("\n").some((l) => l.trim() === "ROLE: critic");

describe("given a model limited to 1 call at once and a worker with room for every task", () => {
  let stack: TestStack;
  let provider: OpenAIFixture;
  /** The provider's calls in the order they arrived: critic (c) or generator (g). */
  const calls: string[] = [];
  before(async () => {
    // Each answer takes 1.5 s: a critic created after a generator's answer is waiting in the
    // limiter long before the next place frees.
    provider = await startOpenAIFixture({
      delayMs: 1500,
      reply: (prompt) => {
        calls.push(isCritic(prompt) ? "c" : "g");
        if (isCritic(prompt)) return "compliance: 9\nuniqueness: 8\nquality: 9\nCritique: fixture: fine.";
        const words = createHash("sha256").update(prompt).digest("hex").match(/.{8}/g) ?? [];
        return `Fixture reply\n${words.join(" ")}`;
      },
    });
    stack = await startStack();
    stack.startOrchestrator();
    const worker = stack.startWorker({
      AGENTS_EXECUTOR: "openai",
      OPENAI_BASE_URL: provider.url,
      AGENTS_MODEL_LIMITS: "fixture-model=1",
      AGENTS_WORKER_CONCURRENCY: "8",
    });
    await eventually(() => worker.logs().includes("worker started"), 90_000); // a tsx start-up on a loaded machine
  });
  after(async () => {
    await stack.stop();
    await provider.close();
  });

  it("when 4 jobs' generators wait for the model, then critics arriving later get places before the generators still waiting", async (t) => {
    // Four jobs of one iteration each: their four generators are queued at once (a job's first
    // wave would hold back some of its own).
    const jobs = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        stack.submit({ spec: `Write one line about order ${n}.`, count: 1, model: "fixture-model" }),
      ),
    );
    for (const jobId of jobs) {
      const jobEvents = await stack.waitFor(
        Subjects.job(jobId),
        (es) => ofType(es, "job.completed").length > 0,
        120_000,
      );
      assert.equal(ofType(jobEvents, "job.completed")[0]?.event.data.iterations_passed, 1);
    }
    const order = calls.join("");
    t.diagnostic(`calls in order: ${order}`);
    assert.equal(order.length, 8, `four generators and four critics, one call each (${order})`);
    // First come, first served would run every waiting generator first (gggg then cccc): the first
    // critic is created after the first answer, and three generators have been waiting since the start.
    assert.ok(
      order.indexOf("c") < order.lastIndexOf("g"),
      `a critic got a place before the last generator (calls in order: ${order})`,
    );
    const all = await stack.events(Subjects.tasks);
    // The limiter's own word for it: a generator saw a free place and gave it to a critic waiting.
    const types = new Map(ofType(all, "task.created").map((e) => [e.event.task_id, e.event.data.task_type]));
    const gaveWay = ofType(all, "task.progress").filter(
      (e) => e.event.data.waiting?.why === "priority" && types.get(e.event.task_id) === "generator",
    );
    assert.ok(gaveWay.length > 0, "a waiting generator recorded that it gave its place to better-band work");
  });
});
