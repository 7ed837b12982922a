// Catalogue v2 writes fewer events per lifecycle (a task created queued, a job opened with its
// acceptance and first wave on job.submitted): folded, a v2 lifecycle must give the same task and
// job documents, and the same orchestrator and task states, as the v1 lifecycle of the same
// submission. The v1 form is built from the v2 one the way the v1 orchestrator wrote it: each
// merged event split back into the events it replaces, at the same time.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type AgentEvent, newEvent } from "../../src/core/events/index.ts";
import { taskIdFor } from "../../src/core/ids.ts";
import { foldTask } from "../../src/core/lifecycle/index.ts";
import { evolve, initialState } from "../../src/core/orchestrator/state.ts";
import { createEmbeddedStore } from "../../src/projections/index.ts";
import { Simulator } from "../core/orchestrator/simulator.ts";
import { foldInto } from "./support.ts";

type Stored = { seq: number; event: AgentEvent };

/** A v2 lifecycle from the orchestrator's own decisions: two iterations, one revised. */
function v2Lifecycle(): Stored[] {
  const sim = new Simulator();
  const jobId = sim.submit({ spec: "Write one line about versions.", count: 2 });
  sim.start(taskIdFor(jobId, 1, "generator", 0));
  sim.complete(taskIdFor(jobId, 1, "generator", 0));
  sim.critique(taskIdFor(jobId, 1, "critic", 1), { compliance: 9, quality: 9 });
  sim.complete(taskIdFor(jobId, 2, "generator", 0));
  sim.critique(taskIdFor(jobId, 2, "critic", 1), { compliance: 3, quality: 3 });
  sim.complete(taskIdFor(jobId, 2, "reviser", 1));
  sim.critique(taskIdFor(jobId, 2, "critic", 2), { compliance: 9, quality: 9 });
  assert.equal(sim.events("job.completed").length, 1, "the lifecycle ran to its end");
  return sim.trace.flatMap((t) => (t.kind === "event" ? [{ seq: t.seq, event: t.event }] : []));
}

/** The same lifecycle as v1 wrote it: split, renumbered, with schema_version 1. */
function asV1(v2: readonly Stored[]): Stored[] {
  const out: AgentEvent[] = [];
  const v1 = (e: AgentEvent): AgentEvent => ({ ...e, schema_version: 1 }) as AgentEvent;
  const meta = (e: AgentEvent, suffix: string) => ({
    id: `${e.id}-${suffix}`,
    job_id: e.job_id,
    task_id: e.task_id,
    causation_id: e.id,
    correlation_id: e.correlation_id,
    now: Date.parse(e.occurred_at),
  });
  for (const { event: e } of v2) {
    if (e.type === "job.submitted" && e.data.accepted) {
      const { accepted, wave, ...data } = e.data;
      out.push(v1({ ...e, data }));
      out.push(v1(newEvent("job.accepted", accepted, meta(e, "accepted"))));
      if (wave) out.push(v1(newEvent("job.wave_planned", wave, meta(e, "wave"))));
    } else if (e.type === "task.created" && e.data.queued) {
      const { queued, ...data } = e.data;
      out.push(v1({ ...e, data }));
      out.push(v1(newEvent("task.queued", queued, meta(e, "queued"))));
    } else out.push(v1(e));
  }
  return out.map((event, i) => ({ seq: i + 1, event }));
}

/**
 * Every read model's documents, without the bookkeeping a longer stream moves (seq, event counts)
 * and the empty queue cells a v1 task passed through (pending, for the moment before task.queued).
 */
async function projections(events: readonly Stored[]) {
  const store = createEmbeddedStore();
  await foldInto(store, events);
  const dump = JSON.parse(
    JSON.stringify(await store.dump(), (k, v) =>
      k === "seq" || k === "events" || k === "checkpoint" ? undefined : v,
    ),
  ) as Record<string, Array<{ _key: string; count?: number }>>;
  dump.queue_summary = (dump.queue_summary ?? []).filter(
    (c) => c.count !== 0 || !c._key.endsWith(".pending"),
  );
  return dump;
}

describe("catalogue v2: the same lifecycle in fewer events", () => {
  const v2 = v2Lifecycle();
  const v1 = asV1(v2);

  it("given a v2 lifecycle, then it holds no task.queued, job.accepted or first job.wave_planned, and its v1 form does", () => {
    const types = (es: readonly Stored[]) => es.map((e) => e.event.type);
    for (const t of ["task.queued", "job.accepted", "job.wave_planned"] as const)
      assert.ok(!types(v2).includes(t), `v2 has no ${t}`);
    assert.equal(types(v1).filter((t) => t === "task.queued").length, 6, "six tasks queued in v1");
    assert.equal(types(v1).filter((t) => t === "job.accepted").length, 1);
    assert.equal(v1.length - v2.length, 8, "v2 saves a task.queued per task and two job events");
    const v2forms = new Set(["task.created", "job.submitted"]);
    assert.ok(v2.every((e) => e.event.schema_version === (v2forms.has(e.event.type) ? 2 : 1)));
  });

  it("given both forms, when folded into the read models, then the task and job documents are the same", async () => {
    const [a, b] = [await projections(v1), await projections(v2)];
    assert.ok(Object.keys(a).length > 3, `collections: ${Object.keys(a).join(", ")}`);
    assert.deepEqual(b, a);
  });

  it("given both forms, when folded by the orchestrator and the task lifecycle, then the states are the same", () => {
    const fold = (es: readonly Stored[]) => {
      const s = initialState();
      for (const { event, seq } of es) evolve(s, event, seq, { keep: true });
      const [job] = [...s.jobs.values()];
      assert.ok(job);
      const { seq: _s, updated_at: _u, ...rest } = job;
      return { job: rest, quality: s.quality };
    };
    assert.deepEqual(fold(v2), fold(v1));
    const tasks = (es: readonly Stored[]) => {
      const ids = [...new Set(es.flatMap((e) => (e.event.task_id ? [e.event.task_id] : [])))];
      return ids.map((id) => {
        const t = foldTask(es.filter((e) => e.event.task_id === id));
        assert.ok(t);
        const { seq: _s, created_seq: _c, created, ...rest } = t;
        const { queued: _q, ...data } = created;
        return { ...rest, created: data };
      });
    };
    assert.deepEqual(tasks(v2), tasks(v1));
  });
});
