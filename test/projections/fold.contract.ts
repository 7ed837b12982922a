// The fold half of the contract: histories folded straight into a store (no server), checking that
// batching, repetition, the checkpoint and reset behave, and that derived summaries add up.
import assert from "node:assert/strict";
import { it } from "node:test";
import type { ProjectionStore } from "../../src/projections/index.ts";
import { smallHistory } from "./history.ts";
import { asApplicable, foldInto, near } from "./support.ts";
import { generateWorkload } from "./workload.ts";

/** Register the fold tests for stores made by `fresh` (inside the caller's describe). */
export function foldContract(fresh: () => Promise<ProjectionStore>, opts: { skip?: string }): void {
  const givenSmall = async () => {
    const store = await fresh();
    await foldInto(store, asApplicable(smallHistory()), 5);
    return store;
  };

  it(
    "given the workload, when folded in batches of 1, 37 or 1000, then the documents are the same",
    opts,
    async () => {
      const items = asApplicable(generateWorkload({ jobs: 3, iterations: 6 }));
      const dumps = [];
      for (const size of [1, 37, 1000]) {
        const store = await fresh();
        await foldInto(store, items, size);
        dumps.push(await store.dump());
      }
      assert.deepEqual(dumps[1], dumps[0]);
      assert.deepEqual(dumps[2], dumps[0]);
    },
  );

  it(
    "given the workload, when summaries are read, then they agree with the task documents",
    opts,
    async () => {
      const store = await fresh();
      await foldInto(store, asApplicable(generateWorkload()));
      const dump = await store.dump();
      const tasks = [...dump.tasks_standard, ...dump.tasks_heavy, ...dump.tasks_critic];
      const counts = new Map<string, number>();
      for (const t of tasks)
        counts.set(`${t.queue} ${t.status}`, (counts.get(`${t.queue} ${t.status}`) ?? 0) + 1);
      const rows = await store.queueSummary();
      assert.deepEqual(new Map(rows.map((r) => [`${r.queue} ${r.status}`, r.count])), counts);
      for (const job of dump.jobs) {
        const mine = tasks.filter((t) => t.job_id === job.job_id);
        assert.equal(job.tasks_total, mine.length);
        for (const [status, n] of Object.entries(job.progress))
          assert.equal(n, mine.filter((t) => t.status === status).length, `${job.job_id} ${status}`);
        near(
          job.cost_usd,
          mine.reduce((sum, t) => sum + t.cost_usd, 0),
        );
      }
      const spent = (await store.costByModel()).reduce((sum, m) => sum + m.cost_usd, 0);
      near(
        spent,
        tasks.reduce((sum, t) => sum + t.cost_usd, 0),
      );
    },
  );

  it("given a folded store, when any range is folded again, then nothing changes", opts, async () => {
    const store = await fresh();
    const items = asApplicable(generateWorkload({ jobs: 3, iterations: 6 }));
    await foldInto(store, items);
    const before = await store.dump();
    await foldInto(store, items.slice(100, 400), 50);
    await foldInto(store, items, 1000);
    assert.deepEqual(await store.dump(), before);
  });

  it(
    "given a checkpoint, when an older batch arrives, then the checkpoint never moves back",
    opts,
    async () => {
      const store = await givenSmall();
      const cp = await store.checkpoint();
      assert.equal(cp, smallHistory().length);
      await store.apply({ upserts: {}, deletes: {}, checkpoint: 3 });
      assert.equal(await store.checkpoint(), cp);
    },
  );

  it("given a folded store, when it is reset, then it is empty at checkpoint 0", opts, async () => {
    const store = await givenSmall();
    await store.reset();
    const dump = await store.dump();
    assert.equal(dump.checkpoint, 0);
    assert.equal(await store.checkpoint(), 0);
    for (const [name, docs] of Object.entries(dump))
      if (name !== "checkpoint") assert.deepEqual(docs, [], name);
  });
}
