// The dashboard half of the contract: system state, the jobs list, a job's iterations, and the
// quality and cost time series, answered the same way by every adapter.
import assert from "node:assert/strict";
import { it } from "node:test";
import { AgentsError, ErrorCode } from "../../src/core/errors.ts";
import { type ProjectionStore, specKey } from "../../src/projections/index.ts";
import { dashboardHistory, LONG_SPEC, timeOf } from "./dashboard-history.ts";
import { SPEC_A, SPEC_B, smallHistory } from "./history.ts";
import { asApplicable, foldInto, near } from "./support.ts";

const MINUTE = 60_000;
const ALL_TIME = { from: "2024-01-01T00:00:00.000Z", to: "2026-01-01T00:00:00.000Z" };

/** Register the dashboard tests for stores made by `fresh` (inside the caller's describe). */
export function dashboardContract(fresh: () => Promise<ProjectionStore>, opts: { skip?: string }): void {
  const given = async () => {
    const store = await fresh();
    await foldInto(store, asApplicable(dashboardHistory().messages), 4);
    return store;
  };

  it(
    "given no system event, when the system state is read, then it is running with nothing paused",
    opts,
    async () => {
      const store = await fresh();
      await foldInto(store, asApplicable(smallHistory()));
      const s = await store.systemState();
      assert.deepEqual([s.stopped, s.stop_reason, s.stopped_since, s.paused], [false, null, null, {}]);
    },
  );

  it(
    "given stops, pauses and a resume, when the system state is read, then it is what was recorded last",
    opts,
    async () => {
      const store = await given();
      const { firstStop, secondStop } = dashboardHistory();
      const s = await store.systemState();
      assert.equal(s.stopped, true);
      assert.equal(s.stop_reason, "night");
      assert.equal(s.stopped_since, timeOf(secondStop));
      assert.equal(s.resume_reason, "review done");
      assert.deepEqual(Object.keys(s.paused), ["standard"]);
      assert.equal(s.paused.standard?.reason, "provider maintenance");
      assert.ok(timeOf(firstStop) < (s.paused.standard?.since ?? ""));
    },
  );

  it(
    "given a stop said twice, when read before the resume, then it keeps the first stop's time",
    opts,
    async () => {
      const store = await fresh();
      const { messages, firstStop } = dashboardHistory();
      await foldInto(store, asApplicable(messages.slice(0, firstStop + 1)));
      const s = await store.systemState();
      assert.deepEqual([s.stopped, s.stop_reason, s.stopped_since], [true, "said twice", timeOf(firstStop)]);
    },
  );

  it(
    "given four jobs, when listed, then newest first with summaries, filters, ids and cursor pages",
    opts,
    async () => {
      const store = await given();
      const ids = async (q: Parameters<ProjectionStore["listJobs"]>[0]) =>
        (await store.listJobs(q)).items.map((j) => j.job_id);
      assert.deepEqual(await ids({}), ["jl", "jz", "jb", "ja"]);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await store.listJobs({ limit: 3, cursor });
        seen.push(...page.items.map((j) => j.job_id));
        cursor = page.next_cursor;
        pages += 1;
      } while (cursor);
      assert.deepEqual([seen, pages], [["jl", "jz", "jb", "ja"], 2]);
      assert.deepEqual(await ids({ status: "running" }), ["ja"]);
      assert.deepEqual(await ids({ status: "rejected" }), ["jz"]);
      assert.deepEqual(await ids({ text: "HAIKU" }), ["ja"]);
      assert.deepEqual(await ids({ text: "week's incidents" }), ["jb"]);
      assert.deepEqual(await ids({ ids: ["ja", "jz", "nope"] }), ["jz", "ja"]);
      const all = (await store.listJobs({})).items;
      const jb = all.find((j) => j.job_id === "jb");
      assert.ok(jb);
      assert.deepEqual(await ids({ from: jb.created_at }), ["jl", "jz", "jb"]);
      assert.deepEqual(await ids({ to: jb.created_at }), ["ja"]);
      const ja = all.find((j) => j.job_id === "ja");
      assert.deepEqual(
        [ja?.spec_excerpt, ja?.spec_chars, ja?.status, ja?.iterations.passed],
        [SPEC_A, SPEC_A.length, "running", 1],
      );
      assert.equal("best_tasks" in (ja ?? {}), false, "a row carries no per-iteration list");
      assert.equal("spec" in (ja ?? {}), false);
      near(ja?.cost_usd ?? 0, 0.16);
      const jl = all.find((j) => j.job_id === "jl");
      assert.deepEqual([jl?.spec_excerpt, jl?.spec_chars], [LONG_SPEC.slice(0, 300), LONG_SPEC.length]);
      await assert.rejects(
        store.listJobs({ cursor: "garbage" }),
        (err: unknown) => err instanceof AgentsError && err.code === ErrorCode.ValidationFailed,
      );
    },
  );

  it(
    "given a job's iterations, when their tasks and critiques are read, then each iteration gets its own",
    opts,
    async () => {
      const store = await given();
      const ids = async (job: string, its: number[]) =>
        (await store.jobTasks(job, its)).map((t) => t.task_id);
      assert.deepEqual(await ids("ja", [1]), ["ta-c1", "ta-g1"]);
      assert.deepEqual(await ids("ja", [2]), ["ta-k1", "ta-g2"]);
      assert.deepEqual(await ids("ja", [1, 2]), ["ta-c1", "ta-k1", "ta-g1", "ta-g2"]);
      assert.deepEqual(await ids("jb", [1, 3]), ["tb-g1", "tb-g3"]);
      assert.deepEqual(await ids("ja", []), []);
      const critiques = async (its: number[]) =>
        (await store.qualityHistory({ job_id: "ja", iterations: its })).map((q) => q.task_id);
      assert.deepEqual(await critiques([1]), ["ta-g1"]);
      assert.deepEqual(await critiques([2]), []);
    },
  );

  it(
    "given two critiques, when the quality series is read, then each (minute, group) sums its scores",
    opts,
    async () => {
      const store = await given();
      const byModel = await store.qualitySeries({ ...ALL_TIME, bucket_ms: MINUTE, group: "model" });
      const minute = Math.floor(Date.parse(timeOf(1)) / MINUTE) * MINUTE;
      assert.deepEqual(byModel, [
        { t: minute, key: "claude-sonnet-4", count: 1, compliance: 8, uniqueness: 7, quality: 9 },
        { t: minute, key: "openai/gpt-4o-mini", count: 1, compliance: 5, uniqueness: 6, quality: 4 },
      ]);
      const bySpec = await store.qualitySeries({ ...ALL_TIME, bucket_ms: MINUTE, group: "spec" });
      assert.deepEqual(
        bySpec.map((p) => [p.key, p.quality]),
        [
          [specKey(SPEC_A), 9],
          [specKey(SPEC_B), 4],
        ].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)),
      );
      const one = { ...ALL_TIME, bucket_ms: MINUTE, group: "model" as const };
      assert.equal((await store.qualitySeries({ ...one, model: "claude-sonnet-4" })).length, 1);
      assert.equal((await store.qualitySeries({ ...one, job_id: "jb" }))[0]?.key, "openai/gpt-4o-mini");
      assert.equal((await store.qualitySeries({ ...one, spec_key: specKey(SPEC_A) }))[0]?.quality, 9);
      assert.deepEqual(
        await store.qualitySeries({ ...one, from: ALL_TIME.to, to: "2027-01-01T00:00:00.000Z" }),
        [],
      );
      const seconds = await store.qualitySeries({ ...ALL_TIME, bucket_ms: 1000, group: "spec" });
      assert.equal(
        seconds.reduce((n, p) => n + p.count, 0),
        2,
      );
      for (const p of seconds) assert.equal(p.t % 1000, 0);
    },
  );

  it(
    "given runs of two models, when the cost series is read, then each (minute, group) sums runs, spend and tokens",
    opts,
    async () => {
      const store = await given();
      const q = { ...ALL_TIME, bucket_ms: MINUTE, group: "model" as const };
      const byModel = await store.costSeries(q);
      assert.deepEqual(
        byModel.map((p) => [p.key, p.runs, p.input_tokens, p.output_tokens]),
        [
          ["claude-sonnet-4", 3, 3600, 2400],
          ["openai/gpt-4o-mini", 1, 1200, 800],
        ],
      );
      near(byModel[0]?.cost_usd ?? 0, 0.11);
      near(byModel[1]?.cost_usd ?? 0, 0.05);
      const bySpec = await store.costSeries({ ...q, group: "spec" });
      assert.deepEqual(
        bySpec.map((p) => [p.key, p.runs]),
        [[specKey(SPEC_A), 4]],
      );
      near(bySpec[0]?.cost_usd ?? 0, 0.16);
      assert.deepEqual(await store.costSeries({ ...q, job_id: "jb" }), []);
      assert.equal((await store.costSeries({ ...q, model: "openai/gpt-4o-mini" }))[0]?.runs, 1);
    },
  );

  it(
    "given jobs with specs, when spec excerpts are asked for by key, then each known key gets its text",
    opts,
    async () => {
      const store = await given();
      const found = await store.specExcerpts([specKey(SPEC_A), specKey(LONG_SPEC), "nope"]);
      assert.deepEqual(
        [...found.entries()].sort(),
        [
          [specKey(SPEC_A), SPEC_A],
          [specKey(LONG_SPEC), LONG_SPEC.slice(0, 300)],
        ].sort(),
      );
      assert.deepEqual([...(await store.specExcerpts([])).entries()], []);
    },
  );
}
