// A model's day budget, shared by two real worker processes: the call that spends it is the only one
// in flight past it, one model.day_budget_spent is recorded, the model's other tasks go back to the
// queue waiting until the next UTC day (not a failure, no attempt used), the gateway's status says so,
// and a job on another model runs to the end meanwhile.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Subjects } from "../../src/core/events/index.ts";
import { nextUtcDay } from "../../src/core/limits/index.ts";
import { type OpenAIFixture, startOpenAIFixture } from "../fixtures/openai-server.ts";
import {
  type ActorProcess,
  eventually,
  freePort,
  ofType,
  spawnActor,
  startStack,
  type TestStack,
} from "../support/index.ts";
import { checkMetrics } from "../support/prometheus.ts";
import { parseScrape } from "../support/scrape.ts";

/** A passing critique for critic prompts; otherwise an answer made distinct by the prompt's hash. */
function reply(prompt: string): string {
  if (prompt.split("\n").some((l) => l.trim() === "ROLE: critic")) {
    return "compliance: 9\nuniqueness: 8\nquality: 9\nCritique: fixture: clear and on point.";
  }
  const words = createHash("sha256").update(prompt).digest("hex").match(/.{8}/g) ?? [];
  return `Fixture reply to: ${prompt.split("\n")[0] ?? ""}\n${words.join(" ")}`;
}

describe("given two worker processes and a day budget of 50 tokens on one of two models", () => {
  let stack: TestStack;
  let provider: OpenAIFixture;
  let gateway: ActorProcess;
  let api: (path: string) => Promise<Record<string, unknown>>;
  let metricsPorts: number[] = [];
  before(async () => {
    // Answers take 300 ms, so the budget model's first tasks are in the limiter together.
    provider = await startOpenAIFixture({ delayMs: 300, reply });
    stack = await startStack();
    stack.startOrchestrator();
    const env = {
      AGENTS_EXECUTOR: "openai",
      OPENAI_BASE_URL: provider.url,
      AGENTS_MODEL_DAY_BUDGETS: "budget-model=50tokens",
      AGENTS_WORKER_CONCURRENCY: "2",
    };
    metricsPorts = [await freePort(), await freePort()];
    const workers = metricsPorts.map((p) => stack.startWorker({ ...env, AGENTS_METRICS_PORT: String(p) }));
    const port = await freePort();
    gateway = spawnActor("gateway", { ...stack.env, AGENTS_PORT: String(port) });
    api = async (path) =>
      (await (await fetch(`http://127.0.0.1:${port}${path}`)).json()) as Record<string, unknown>;
    await eventually(() => workers.every((w) => w.logs().includes("worker started")), 90_000); // two tsx start-ups on a loaded machine
    await eventually(
      async () => (await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined))?.ok === true,
      60_000,
    );
  });
  after(async () => {
    await gateway.kill("SIGKILL");
    await stack.stop();
    await provider.close();
  });

  it("when a job on each model runs, then one call spends the budget, the budget model waits visibly for the next day and the other job completes", async () => {
    const budgetJob = await stack.submit({
      spec: "Write one line about thrift.",
      count: 3,
      model: "budget-model",
    });
    const freeJob = await stack.submit({
      spec: "Write one line about plenty.",
      count: 2,
      model: "free-model",
    });

    const spent = await stack.waitFor(Subjects.limits, (es) => es.length > 0, 60_000);
    const freeEvents = await stack.waitFor(
      Subjects.job(freeJob),
      (es) => ofType(es, "job.completed").length > 0,
      90_000,
    );
    assert.equal(
      ofType(freeEvents, "job.completed")[0]?.event.data.iterations_passed,
      2,
      "the other model's job ran",
    );

    // Every task of the budget job has started and either answered or gone back to wait.
    const taskEvents = async () =>
      (await stack.events(Subjects.tasks)).filter((e) => e.event.job_id === budgetJob);
    let budgetTasks = await taskEvents();
    await eventually(async () => {
      budgetTasks = await taskEvents();
      const waiting = ofType(budgetTasks, "task.interrupted").filter(
        (e) => e.event.data.waiting?.why === "day_budget_spent",
      );
      return waiting.length >= 2;
    }, 30_000);

    const day = ofType(spent, "model.day_budget_spent");
    assert.equal(day.length, 1, "one event for the model and day, though two workers settle calls");
    const until = new Date(nextUtcDay(Date.now())).toISOString();
    assert.equal(day[0]?.event.data.model, "budget-model");
    assert.equal(day[0]?.event.data.by, "tokens");
    assert.equal(day[0]?.event.data.budget_tokens, 50);
    assert.equal(day[0]?.event.data.until, until);

    const answered = ofType(budgetTasks, "task.completed");
    assert.equal(answered.length, 1, "the call that spent the budget was the only one in flight past it");
    assert.equal(ofType(budgetTasks, "task.failed").length, 0, "a spent budget is not a failure");
    assert.ok(
      ofType(budgetTasks, "task.started").every((e) => e.event.data.attempt === 1),
      "and uses no attempt",
    );
    const interrupted = ofType(budgetTasks, "task.interrupted").filter(
      (e) => e.event.data.waiting?.why === "day_budget_spent",
    );
    for (const e of interrupted) {
      assert.equal(e.event.data.waiting?.until, until);
      assert.match(
        e.event.data.reason,
        /^the day budget of model budget-model is spent \(tokens\); waiting until /,
      );
    }

    // The gateway's status: the model's day budget is spent until the next day; a waiting task says why.
    const limits = await api("/v1/agents/limits");
    const models = limits.models as Array<{ model: string; day: Record<string, unknown> | null }>;
    const model = models.find((m) => m.model === "budget-model");
    assert.equal(model?.day?.spent, true);
    assert.equal(model?.day?.spent_by, "tokens");
    assert.equal(model?.day?.until, until);
    assert.ok(Number(model?.day?.tokens) >= 50);
    const waitingTask = interrupted[0]?.event.task_id ?? "";
    let shown: Record<string, unknown> | undefined;
    await eventually(async () => {
      const s = (await api(`/v1/agents/status/${waitingTask}`)) as {
        task?: { waiting?: Record<string, unknown> };
      };
      shown = s.task?.waiting ?? undefined;
      return shown !== undefined;
    }, 30_000);
    assert.deepEqual([shown?.model, shown?.why, shown?.until], ["budget-model", "day_budget_spent", until]);
    const story = (await api(`/v1/agents/tasks/${waitingTask}/story`)) as { task: { waiting?: unknown } };
    assert.deepEqual(story.task.waiting, shown, "the task's story shows the same");

    // The workers' metrics: the budget found spent once, by tokens; the day's use; the interruptions.
    const scrapes = await Promise.all(
      metricsPorts.map(async (p) => parseScrape(await (await fetch(`http://127.0.0.1:${p}/metrics`)).text())),
    );
    const sum = (name: string, match: Record<string, string>) =>
      scrapes.reduce((n, s) => n + s.sum(name, match), 0);
    assert.equal(sum("agents_model_day_budget_spent_total", { model: "budget-model", by: "tokens" }), 1);
    assert.ok(
      scrapes.some((s) => s.sum("agents_model_day_use", { model: "budget-model", unit: "tokens" }) >= 50),
      "the day's tokens are shown",
    );
    assert.equal(
      sum("agents_task_interrupts_total", { reason: "day_budget_spent" }),
      ofType(await taskEvents(), "task.interrupted").filter(
        (e) => e.event.data.waiting?.why === "day_budget_spent",
      ).length,
      "every task sent back to wait for the next day is counted",
    );
    for (const s of scrapes) assert.equal(await checkMetrics(s.text), "", "promtool check metrics");
  });
});
