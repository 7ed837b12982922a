// The pure read models and the batch planner, as tables: given events, when folded, then documents.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type AgentEvent, type EventData, newEvent } from "../../src/core/events/index.ts";
import { specKey as orchestratorSpecKey } from "../../src/core/ids.ts";
import { contextAt } from "../../src/projections/context.ts";
import { modelKey } from "../../src/projections/cost-by-model/evolve.ts";
import { createEmbeddedStore, planBatch, specKey } from "../../src/projections/index.ts";
import { evolveJobProgress } from "../../src/projections/job-progress/evolve.ts";
import { docKey } from "../../src/projections/keys.ts";
import { evolveTaskDetails, type TaskDoc } from "../../src/projections/task-details/evolve.ts";
import { compareTasks, decodeCursor, encodeCursor } from "../../src/projections/task-details/query.ts";
import { EXAMPLE_NOW, exampleEvent } from "../core/events/examples.ts";
import { smallHistory } from "./history.ts";
import { asApplicable } from "./support.ts";

const events = (): AgentEvent[] => smallHistory().flatMap((m) => (m.kind === "event" ? [m.event] : []));
const ofTask = (id: string) => events().filter((e) => e.task_id === id);
const foldTask = (list: AgentEvent[]) =>
  list.reduce<TaskDoc | null>((doc, e, i) => evolveTaskDetails(doc, e, contextAt(i + 1)), null);

describe("task details", () => {
  it("given a task's events, when folded, then each moves the status the lifecycle way", () => {
    const statuses: string[] = [];
    let doc: TaskDoc | null = null;
    for (const [i, e] of ofTask("ta-g1").entries()) {
      doc = evolveTaskDetails(doc, e, contextAt(i + 1));
      statuses.push(`${e.type}→${doc?.status}`);
    }
    assert.deepEqual(statuses, [
      "task.created→pending",
      "task.queued→queued",
      "task.started→running",
      "task.progress→running",
      "task.failed→failed",
      "task.retry_scheduled→queued",
      "task.started→running",
      "task.progress→running",
      "task.completed→completed",
    ]);
  });

  it("given a completed task, when an event the lifecycle forbids arrives, then the document is the same object", () => {
    const list = ofTask("ta-g1");
    const done = foldTask(list);
    const again = list.at(-1) as AgentEvent;
    assert.equal(evolveTaskDetails(done, again, contextAt(99)), done);
    assert.equal(evolveTaskDetails(done, list[0] as AgentEvent, contextAt(100)), done);
    assert.equal(evolveTaskDetails(null, again, contextAt(101)), null);
  });
});

describe("job progress", () => {
  it("given an iteration that ends twice, when folded, then it is counted once with the last outcome", () => {
    const ended = events().find((e) => e.type === "job.iteration_ended") as AgentEvent;
    const once = evolveJobProgress(null, ended, contextAt(1));
    const twice = evolveJobProgress(once, ended, contextAt(2));
    assert.deepEqual(twice?.iterations, { passed: 1, exhausted: 0, failed: 0, cancelled: 0 });
    assert.equal(twice?.best_tasks.length, 1);
  });
});

describe("keys", () => {
  it("given a spec, then specKey matches the orchestrator's", () => {
    for (const spec of ["a", "  Write a haiku.  ", "ünïcode ✓"])
      assert.equal(specKey(spec), orchestratorSpecKey(spec));
  });

  it("given values with characters a key may not hold, then docKey hashes them and keeps safe ones", () => {
    assert.equal(docKey("ta-g1"), "ta-g1");
    assert.match(modelKey("openai/gpt-4o-mini"), /^h_[A-Za-z0-9_-]{22}$/);
    assert.notEqual(modelKey("a/b"), modelKey("a/c"));
    assert.match(docKey("x".repeat(300)), /^h_/);
  });

  it("given a task, then its cursor reads back as its sort key", () => {
    const t = { priority: 7, created_at: "2025-01-01T00:00:00.000Z", task_id: "t1" };
    assert.deepEqual(decodeCursor(encodeCursor(t as TaskDoc)), t);
    assert.ok(compareTasks({ ...t, priority: 8 }, t) < 0);
    assert.ok(compareTasks(t, { ...t, task_id: "t2" }) < 0);
  });
});

describe("planBatch", () => {
  it("given a store holding a range, when the range is planned again, then the batch changes nothing", async () => {
    const store = createEmbeddedStore();
    const items = asApplicable(smallHistory());
    await store.apply(await planBatch(store, items, items.length));
    const again = await planBatch(store, items.slice(3, 20), 20);
    assert.deepEqual(again, { upserts: {}, deletes: {}, checkpoint: 20 });
  });

  it("given a critique published twice at two sequences, when folded, then the job counts it once", async () => {
    const store = createEmbeddedStore();
    const items = asApplicable(smallHistory());
    const critique = items.find((i) => i.event?.type === "critique.recorded");
    assert.ok(critique);
    const withRepeat = [...items, { seq: items.length + 1, event: critique.event }];
    await store.apply(await planBatch(store, withRepeat, withRepeat.length));
    assert.equal((await store.getJob("ja"))?.quality.critiques, 1);
    assert.equal((await store.qualityHistory()).length, 2);
  });

  it("given only commands and junk, when planned, then only the checkpoint moves", async () => {
    const store = createEmbeddedStore();
    const batch = await planBatch(store, [{ seq: 5, event: null }], 5);
    assert.deepEqual(batch, { upserts: {}, deletes: {}, checkpoint: 5 });
  });
});

describe("what real providers report, in the read models", () => {
  /** A task's events up to a completion whose data is `extra` over a plain run. */
  function run(taskId: string, extra: Record<string, unknown>, model = "sonnet"): AgentEvent[] {
    const meta = (type: string) => ({
      id: `${taskId}-${type}`,
      job_id: "jp",
      task_id: taskId,
      now: EXAMPLE_NOW,
    });
    return [
      newEvent("task.created", { ...exampleEvent("task.created").data, model }, meta("created")),
      newEvent("task.queued", exampleEvent("task.queued").data, meta("queued")),
      newEvent("task.started", { ...exampleEvent("task.started").data, model }, meta("started")),
      newEvent(
        "task.completed",
        { ...exampleEvent("task.completed").data, model, ...extra } as EventData<"task.completed">,
        meta("completed"),
      ),
    ];
  }

  it("given a run that used two models (modelUsage), then each model's costs get its share and one run", async () => {
    const store = createEmbeddedStore();
    const model_usage = [
      { model: "claude-sonnet-4-5", input_tokens: 100, output_tokens: 50, cost_usd: 0.3 },
      { model: "claude-haiku-4-5", input_tokens: 10, output_tokens: 5, cost_usd: 0.01 },
    ];
    const items = run("tp1", { model_usage, cost_usd: 0.31 }).map((event, i) => ({ seq: i + 1, event }));
    await store.apply(await planBatch(store, items, items.length));
    const costs = await store.costByModel();
    assert.deepEqual(
      costs.map((c) => [c.model, c.runs, c.completed, c.input_tokens, c.output_tokens, c.cost_usd]),
      [
        ["claude-sonnet-4-5", 1, 1, 100, 50, 0.3],
        ["claude-haiku-4-5", 1, 1, 10, 5, 0.01],
      ],
    );
  });

  it("given an unpriced run, then its model counts it as unpriced and the task says its cost is not known", async () => {
    const store = createEmbeddedStore();
    const items = run("tp2", { unpriced: true, cost_usd: 0 }, "llama3").map((event, i) => ({
      seq: i + 1,
      event,
    }));
    await store.apply(await planBatch(store, items, items.length));
    assert.equal((await store.costByModel())[0]?.unpriced_runs, 1);
    assert.equal((await store.getTask("tp2"))?.unpriced, true);
  });

  it("given a run with refused tools and kept files, then the task lists both", () => {
    const denials = [{ tool_name: "Bash", tool_use_id: "t1", input: "{}" }];
    const artifacts = [{ name: "out/report.md", ref: "artifacts/tp3/1/out/report.md", bytes: 12 }];
    const doc = foldTask(run("tp3", { permission_denials: denials, artifacts, artifacts_skipped: 2 }));
    assert.deepEqual(doc?.permission_denials, denials);
    assert.deepEqual(doc?.artifacts, artifacts);
    assert.equal(doc?.artifacts_skipped, 2);
  });

  it("given a task waiting for a usage limit, then it shows until when, and no longer once it runs again", () => {
    const [created, queued, started] = run("tp4", {});
    const meta = (type: string) => ({ id: `tp4-${type}`, job_id: "jp", task_id: "tp4", now: EXAMPLE_NOW });
    const waiting = newEvent(
      "task.interrupted",
      {
        reason: "usage limit",
        worker_id: "w1",
        cause: "usage_limit",
        waiting_until: "2025-01-01T05:00:00.000Z",
      },
      meta("interrupted"),
    );
    const again = newEvent(
      "task.started",
      { ...exampleEvent("task.started").data, attempt: 1 },
      meta("started-2"),
    );
    const list = [created, queued, started, waiting] as AgentEvent[];
    assert.equal(foldTask(list)?.waiting_until, "2025-01-01T05:00:00.000Z");
    assert.equal(foldTask(list)?.status, "interrupted");
    assert.equal(foldTask([...list, again])?.waiting_until, null);
  });
});
