// The ProjectionStore contract: every adapter must answer these the same way. Register it with a
// factory that returns a fresh, empty store; pass `skip` (the reason) when the adapter cannot run.
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { AgentsError, ErrorCode } from "../../src/core/errors.ts";
import { type ProjectionStore, specKey } from "../../src/projections/index.ts";
import { dashboardContract } from "./dashboard.contract.ts";
import { foldContract } from "./fold.contract.ts";
import { SPEC_A, smallHistory } from "./history.ts";
import { runnerContract } from "./runner.contract.ts";
import { asApplicable, foldInto, near } from "./support.ts";

export type StoreFactory = () => Promise<ProjectionStore>;
export type ContractOptions = { skip?: string | undefined };

/** Register the contract for one adapter. */
export function storeContract(label: string, factory: StoreFactory, o: ContractOptions = {}): void {
  const opts = o.skip ? { skip: o.skip } : {};
  const open: ProjectionStore[] = [];
  const fresh = async () => {
    const s = await factory();
    open.push(s);
    return s;
  };
  const given = async () => {
    const store = await fresh();
    await foldInto(store, asApplicable(smallHistory()), 5);
    return store;
  };

  describe(`ProjectionStore contract: ${label}`, () => {
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });

    it(
      "given a small history, when a task is read, then it has status, attempts, timings, usage, cost and error",
      opts,
      async () => {
        const store = await given();
        const t = await store.getTask("ta-g1");
        assert.ok(t);
        assert.equal(t.status, "completed");
        assert.equal(t.queue, "standard");
        assert.equal(t.type, "generator");
        assert.equal(t.attempts, 2);
        assert.equal(t.worker_id, "w2");
        assert.equal(t.priority, 999);
        assert.equal(t.job_id, "ja");
        assert.deepEqual(t.usage, { input_tokens: 2400, output_tokens: 1600 });
        near(t.cost_usd, 0.06);
        assert.equal(t.output_ref, "out/ta-g1/2");
        assert.equal(t.last_error, "timeout: timeout after 2000 ms");
        assert.ok(t.queued_at && t.started_at && t.finished_at);
        assert.ok(t.created_at < t.started_at && t.started_at < t.finished_at);
        const k = await store.getTask("ta-k1");
        assert.equal(k?.queue, "heavy");
        assert.equal(k?.parent_task_id, "ta-g2");
        assert.equal(await store.getTask("nope"), null);
      },
    );

    it(
      "given a small history, when a job is read, then it carries progress, iterations, cost, budget and quality",
      opts,
      async () => {
        const store = await given();
        const j = await store.getJob("ja");
        assert.ok(j);
        assert.equal(j.status, "running");
        assert.equal(j.spec_key, specKey(SPEC_A));
        assert.equal(j.count, 2);
        assert.equal(j.infinite, false);
        assert.equal(j.budget_usd, 5);
        assert.equal(j.tasks_total, 4);
        const busy = Object.fromEntries(Object.entries(j.progress).filter(([, n]) => n !== 0));
        assert.deepEqual(busy, { queued: 1, completed: 2, handed_off: 1 });
        assert.deepEqual(j.iterations, { passed: 1, exhausted: 0, failed: 0, cancelled: 0 });
        assert.deepEqual(j.best_tasks, [{ iteration: 1, outcome: "passed", best_task_id: "ta-g1" }]);
        near(j.cost_usd, 0.16);
        assert.deepEqual([j.quality.critiques, j.quality.compliance, j.quality.quality], [1, 8, 9]);
        const b = await store.getJob("jb");
        assert.deepEqual([b?.infinite, b?.count, b?.status], [true, null, "submitted"]);
        assert.equal((await store.getJob("jz"))?.status, "rejected");
        assert.equal(await store.getJob("nope"), null);
      },
    );

    it(
      "given tasks of several priorities, when listed a page at a time, then they come in dispatch order",
      opts,
      async () => {
        const store = await given();
        const ids: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await store.listTasks({ limit: 2, cursor });
          ids.push(...page.items.map((t) => t.task_id));
          cursor = page.next_cursor;
          pages += 1;
        } while (cursor);
        assert.deepEqual(ids, ["ta-c1", "ta-k1", "ta-g1", "tb-g1", "ta-g2", "tb-g3"]);
        assert.equal(pages, 3);
        const list = async (q: Parameters<ProjectionStore["listTasks"]>[0]) =>
          (await store.listTasks(q)).items.map((t) => t.task_id);
        assert.deepEqual(await list({ queue: "standard" }), ["ta-g1", "tb-g1", "ta-g2", "tb-g3"]);
        assert.deepEqual(await list({ status: "queued" }), ["ta-k1", "tb-g1"]);
        assert.deepEqual(await list({ job_id: "jb" }), ["tb-g1", "tb-g3"]);
        assert.deepEqual(await list({ queue: "standard", status: "completed", job_id: "ja" }), ["ta-g1"]);
        await assert.rejects(
          store.listTasks({ cursor: "not-a-cursor" }),
          (err: unknown) => err instanceof AgentsError && err.code === ErrorCode.ValidationFailed,
        );
      },
    );

    it(
      "given a small history, when summaries are read, then queues, costs and rejections add up",
      opts,
      async () => {
        const store = await given();
        assert.deepEqual(await store.queueSummary(), [
          { queue: "critic", status: "completed", count: 1 },
          { queue: "heavy", status: "queued", count: 1 },
          { queue: "standard", status: "completed", count: 1 },
          { queue: "standard", status: "handed_off", count: 1 },
          { queue: "standard", status: "pending", count: 1 },
          { queue: "standard", status: "queued", count: 1 },
        ]);
        const costs = await store.costByModel();
        assert.deepEqual(
          costs.map((c) => [c.model, c.runs, c.completed, c.handoffs, c.failed, c.input_tokens]),
          [
            ["claude-sonnet-4", 3, 2, 0, 1, 3600],
            ["openai/gpt-4o-mini", 1, 0, 1, 0, 1200],
          ],
        );
        near(costs[0]?.cost_usd ?? 0, 0.11);
        const rejections = await store.listRejections();
        assert.deepEqual(
          rejections.map((r) => [r.kind, r.subject]),
          [
            ["message", "agents.submit"],
            ["submission", "agents.submit"],
          ],
        );
        assert.equal((await store.listRejections(1)).length, 1);
      },
    );

    it(
      "given two critiques, when quality history is queried, then filters, time window and limit apply",
      opts,
      async () => {
        const store = await given();
        const all = await store.qualityHistory();
        assert.deepEqual(
          all.map((q) => [q.task_id, q.quality]),
          [
            ["tb-g1", 4],
            ["ta-g1", 9],
          ],
        );
        const a = all[1];
        assert.ok(a);
        assert.deepEqual(
          [a.job_id, a.spec_key, a.critic_task_id, a.target_model],
          ["ja", specKey(SPEC_A), "ta-c1", "claude-sonnet-4"],
        );
        const ids = async (q: Parameters<ProjectionStore["qualityHistory"]>[0]) =>
          (await store.qualityHistory(q)).map((e) => e.task_id);
        assert.deepEqual(await ids({ spec_key: specKey(SPEC_A) }), ["ta-g1"]);
        assert.deepEqual(await ids({ job_id: "jb" }), ["tb-g1"]);
        assert.deepEqual(await ids({ model: "claude-sonnet-4" }), ["ta-g1"]);
        assert.deepEqual(await ids({ from: a.occurred_at, to: a.occurred_at }), []);
        assert.deepEqual(await ids({ to: a.occurred_at }), []);
        assert.deepEqual(await ids({ from: a.occurred_at, limit: 1 }), ["tb-g1"]);
      },
    );

    foldContract(fresh, opts);
    dashboardContract(fresh, opts);
    runnerContract(fresh, opts);
  });
}
