import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { newEvent, Subjects } from "../../../src/core/events/index.ts";
import { taskIdFor } from "../../../src/core/ids.ts";
import { evolve } from "../../../src/core/orchestrator/state.ts";
import { CREATED_IN_ITEM_MAX_BYTES } from "../../../src/core/orchestrator/tasks.ts";
import { Simulator, TEST_CONFIG } from "./simulator.ts";

const SPEC = "Write one line about queues.";

/** Ids of the tasks a job's iteration may hold. */
const ids = (jobId: string, n: number) => ({
  g: taskIdFor(jobId, n, "generator", 0),
  c: (k: number) => taskIdFor(jobId, n, "critic", k),
  r: (k: number) => taskIdFor(jobId, n, "reviser", k),
  k: (k: number) => taskIdFor(jobId, n, "continuation", k),
});

const PASS = { compliance: 9, quality: 9 };

describe("decide: a submission", () => {
  it("given count 3, when submitted, then the job is accepted and one wave of three generators is created, queued and dispatched", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 3 });

    const [submitted] = sim.events("job.submitted");
    assert.equal(submitted?.job_id, jobId);
    // Catalogue v2: accepted with its first wave on job.submitted itself.
    assert.deepEqual(
      {
        mode: submitted?.data.accepted?.mode,
        wave: submitted?.data.accepted?.wave_size,
        max: submitted?.data.accepted?.max_iterations,
      },
      { mode: "fixed", wave: 3, max: 3 },
    );
    assert.deepEqual(submitted?.data.wave, { wave: 1, iterations: [1, 2, 3] });
    assert.deepEqual(sim.events("job.accepted"), [], "no job.accepted after a v2 job.submitted");
    assert.deepEqual(sim.events("job.wave_planned"), [], "no job.wave_planned for the first wave");

    const created = sim.events("task.created");
    assert.deepEqual(
      created.map((e) => [e.task_id, e.data.task_type, e.data.queue, e.data.priority, e.data.band]),
      [1, 2, 3].map((n) => [ids(jobId, n).g, "generator", "standard", 1000 - n, "normal"]),
    );
    for (const n of [1, 2, 3]) {
      const id = ids(jobId, n).g;
      const at = (kind: string, type?: string) =>
        sim.indexOf((t) =>
          t.kind === "dispatch"
            ? kind === "dispatch" && t.item.task_id === id
            : t.event.type === type && t.event.task_id === id,
        );
      const c = at("event", "task.created");
      const d = at("dispatch");
      assert.ok(c >= 0 && c < d, `${id}: created (queued) ${c} < dispatched ${d}`);
    }
    assert.deepEqual(
      created.map((e) => e.data.queued),
      [1, 2, 3].map((n) => ({ attempt: 1, queue: "standard", band: "normal", priority: 1000 - n })),
      "each task is created queued for its first attempt",
    );
    assert.deepEqual(sim.events("task.queued"), [], "no task.queued for a new task");
    assert.deepEqual(
      sim.dispatches().map((d) => [d.task_id, d.queue, d.band, d.attempt]),
      [1, 2, 3].map((n) => [ids(jobId, n).g, "standard", "normal", 1]),
    );
  });

  it("given count 3, when every generator and critique passes, then the job completes all_done with 3 passed", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 3 });
    for (const n of [1, 2, 3]) {
      sim.complete(ids(jobId, n).g);
      sim.critique(ids(jobId, n).c(1), PASS);
    }
    const ended = sim.events("job.iteration_ended").map((e) => [e.data.iteration, e.data.outcome]);
    assert.deepEqual(ended, [
      [1, "passed"],
      [2, "passed"],
      [3, "passed"],
    ]);
    const [done] = sim.events("job.completed");
    assert.deepEqual(
      {
        passed: done?.data.iterations_passed,
        failed: done?.data.iterations_failed,
        reason: done?.data.reason,
      },
      { passed: 3, failed: 0, reason: "all_done" },
    );
  });

  it("given count 12, then waves of 5 are planned one after another: [1-5], [6-10], [11-12]", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 12 });
    for (let n = 1; n <= 12; n++) {
      sim.complete(ids(jobId, n).g);
      sim.critique(ids(jobId, n).c(1), PASS);
    }
    assert.deepEqual(
      sim.waves().map((w) => w.iterations),
      [
        [1, 2, 3, 4, 5],
        [6, 7, 8, 9, 10],
        [11, 12],
      ],
    );
    assert.equal(sim.events("job.completed")[0]?.data.iterations_passed, 12);
  });

  it("given an unknown validator name, when submitted, then job.rejected names validation.0.type and nothing runs", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 2, validation: [{ type: "no_such_validator" }] });
    const [rejected] = sim.events("job.rejected");
    assert.equal(rejected?.job_id, jobId);
    assert.deepEqual(
      rejected?.data.reasons.map((r) => r.path),
      ["validation.0.type"],
    );
    assert.match(rejected?.data.reasons[0]?.message ?? "", /no_such_validator/);
    assert.equal(sim.events("job.submitted").length, 0);
    assert.equal(sim.events("task.created").length, 0);
  });

  it("given a validator with bad params, when submitted, then job.rejected names validation.N.params.<field>", () => {
    const sim = new Simulator();
    sim.submit({ spec: SPEC, count: 1, validation: [{ type: "regex", params: { pattern: "(" } }] });
    const [rejected] = sim.events("job.rejected");
    assert.deepEqual(
      rejected?.data.reasons.map((r) => r.path),
      ["validation.0.params.pattern"],
    );
    assert.equal(sim.events("job.submitted").length, 0);
  });

  it("given a known validator after an unknown one, then only the unknown one's path is named", () => {
    const sim = new Simulator();
    sim.submit({ spec: SPEC, count: 1, validation: [{ type: "json" }, { type: "jsonn" }] });
    assert.deepEqual(
      sim.events("job.rejected")[0]?.data.reasons.map((r) => r.path),
      ["validation.1.type"],
    );
  });

  it("given a submission that fails the schema, then job.rejected names the field", () => {
    const sim = new Simulator();
    sim.submit({ spec: SPEC, count: 0 });
    assert.deepEqual(
      sim.events("job.rejected")[0]?.data.reasons.map((r) => r.path),
      ["count"],
    );
  });

  it("given the same submission key twice, then there is one job with one wave", () => {
    const sim = new Simulator();
    const a = sim.submit({ spec: SPEC, count: 2 }, "same-key");
    const b = sim.submit({ spec: SPEC, count: 2 }, "same-key");
    assert.equal(a, b);
    assert.equal(sim.events("job.submitted").length, 1);
    assert.equal(sim.acceptances().length, 1);
    assert.equal(sim.waves().length, 1);
    assert.equal(sim.events("task.created").length, 2);
    assert.equal(sim.state.jobs.size, 1);
  });

  it("given the same key twice for a rejected submission, then it is rejected once", () => {
    const sim = new Simulator();
    sim.submit({ spec: SPEC, count: 1, validation: [{ type: "nope" }] }, "bad-key");
    sim.submit({ spec: SPEC, count: 1, validation: [{ type: "nope" }] }, "bad-key");
    assert.equal(sim.events("job.rejected").length, 1);
  });
});

describe("decide: failures and retries", () => {
  it("given a task that keeps failing, then retries are scheduled with growing delays until max attempts, then it is dead-lettered", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    const g = ids(jobId, 1).g;
    for (let i = 0; i < TEST_CONFIG.maxAttempts; i++) sim.fail(g, `boom ${i + 1}`);

    const retries = sim.events("task.retry_scheduled");
    assert.deepEqual(
      retries.map((r) => r.data.attempt),
      [2, 3],
    );
    const [d1, d2] = retries.map((r) => r.data.delay_ms);
    assert.ok(d1 !== undefined && d2 !== undefined && d2 > d1, `delays grow: ${d1} then ${d2}`);
    for (const r of retries) {
      assert.equal(Date.parse(r.data.not_before) - Date.parse(r.occurred_at), r.data.delay_ms);
    }
    const retryDispatches = sim.dispatches().filter((d) => d.attempt > 1);
    assert.deepEqual(
      retryDispatches.map((d) => [d.attempt, d.not_before]),
      retries.map((r) => [r.data.attempt, r.data.not_before]),
    );

    const [dead] = sim.events("task.dead_lettered");
    assert.equal(dead?.task_id, g);
    assert.equal(dead?.data.attempts, 3);
    assert.match(dead?.data.last_error ?? "", /boom 3/);
    assert.deepEqual(
      sim.events("job.iteration_ended").map((e) => e.data.outcome),
      ["failed"],
    );
    const [done] = sim.events("job.completed");
    assert.deepEqual([done?.data.iterations_failed, done?.data.reason], [1, "all_done"]);
  });

  it("given max_attempts 1 on the submission, then the first failure dead-letters at once", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1, max_attempts: 1 });
    sim.fail(ids(jobId, 1).g);
    assert.equal(sim.events("task.retry_scheduled").length, 0);
    assert.equal(sim.events("task.dead_lettered").length, 1);
  });

  it("given a failed validation, then the retry carries the validator's feedback for the next prompt", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1, validation: [{ type: "json" }] });
    const g = ids(jobId, 1).g;
    assert.deepEqual(sim.events("task.created")[0]?.data.validation, [{ type: "json" }]);
    sim.failValidation(g, "Your previous response failed validation:\n- json: not JSON");
    const [retry] = sim.events("task.retry_scheduled");
    assert.match(retry?.data.feedback ?? "", /Your previous response failed validation/);
    assert.match(sim.task(g).feedback ?? "", /failed validation/);
    sim.complete(g);
    sim.critique(ids(jobId, 1).c(1), PASS);
    assert.equal(sim.events("job.completed")[0]?.data.iterations_passed, 1);
  });

  it("given one iteration dead-lettered, then the job goes on and the others still pass", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 2, max_attempts: 1 });
    sim.fail(ids(jobId, 1).g);
    sim.complete(ids(jobId, 2).g);
    sim.critique(ids(jobId, 2).c(1), PASS);
    const [done] = sim.events("job.completed");
    assert.deepEqual([done?.data.iterations_passed, done?.data.iterations_failed], [1, 1]);
  });
});

describe("decide: providers (routes, permanent failures, limits)", () => {
  it("given a first dispatch, then the work item names the route of the task's model", () => {
    const sim = new Simulator();
    sim.submit({ spec: SPEC, count: 1, model: "gpt-4o" });
    assert.deepEqual(
      sim.dispatches().map((d) => d.route),
      ["openai"],
    );
  });

  it("given a permanent failure with a fallback model left, then the retry runs on that model at once, on its route", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1, model: "sonnet", fallback_models: ["gpt-4o"] });
    const g = ids(jobId, 1).g;
    sim.failPermanently(g, "auth", "claude could not authenticate");
    const [retry] = sim.events("task.retry_scheduled");
    assert.equal(retry?.data.model, "gpt-4o");
    assert.equal(retry?.data.attempt, 2);
    assert.deepEqual(
      sim.dispatches().map((d) => [d.task_id, d.attempt, d.route]),
      [
        [g, 1, "claude"],
        [g, 2, "openai"],
      ],
    );
  });

  it("given a generator that completed on its fallback model, then its critic task names that model as the judged one", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1, model: "sonnet", fallback_models: ["gpt-4o"] });
    const it1 = ids(jobId, 1);
    sim.failPermanently(it1.g, "auth", "claude could not authenticate");
    sim.complete(it1.g);
    const critic = sim.task(it1.c(1)).created;
    // The critic labels its scores with it, without reading the generator's last event.
    assert.equal(critic.target_model, "gpt-4o");
    assert.equal(critic.model, "sonnet", "the critic itself runs on the job's model");
  });

  it("given a permanent failure on the last model, then the task is dead-lettered at once, not retried", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1, model: "sonnet" });
    sim.failPermanently(ids(jobId, 1).g, "auth", "claude could not authenticate: Not logged in");
    assert.equal(sim.events("task.retry_scheduled").length, 0);
    const [dead] = sim.events("task.dead_lettered");
    assert.equal(dead?.data.attempts, 1);
    assert.match(dead?.data.last_error ?? "", /^auth: claude could not authenticate: Not logged in/);
  });

  it("given a worker that acked a limited task for another executor's model, then it is dispatched on that route", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1, model: "sonnet", fallback_models: ["gpt-4o"] });
    const g = ids(jobId, 1).g;
    sim.interrupt(g, { reason: "usage limit", model: "gpt-4o", cause: "usage_limit", redispatch: true });
    assert.deepEqual(
      sim.dispatches().map((d) => [d.attempt, d.route]),
      [
        [1, "claude"],
        [1, "openai"],
      ],
    );
    assert.equal(sim.events("task.failed").length, 0, "a limit uses no attempt");
  });

  it("given an interruption whose message went back to the queue, then nothing is dispatched again", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1, model: "sonnet" });
    sim.interrupt(ids(jobId, 1).g, {
      reason: "usage limit",
      cause: "usage_limit",
      waiting_until: "2025-01-01T05:00:00.000Z",
    });
    assert.equal(sim.dispatches().length, 1);
  });

  it("given a budget and a fallback model without a price, then job.rejected names it and nothing runs", () => {
    const sim = new Simulator();
    sim.submit({ spec: SPEC, count: 1, model: "gpt-4o", fallback_models: ["llama3"], budget_usd: 5 });
    const [rejected] = sim.events("job.rejected");
    assert.deepEqual(
      rejected?.data.reasons.map((r) => r.path),
      ["fallback_models.0"],
    );
    assert.match(rejected?.data.reasons[0]?.message ?? "", /model "llama3" has no price.*AGENTS_PRICES/);
    assert.equal(sim.events("task.created").length, 0);
  });

  it("given the same unpriced model without a budget, then the job runs (its cost is recorded as unpriced)", () => {
    const sim = new Simulator();
    sim.submit({ spec: SPEC, count: 1, model: "llama3" });
    assert.equal(sim.events("job.rejected").length, 0);
    assert.equal(sim.events("task.created").length, 1);
  });

  it("given permission options while the operator allows none, then job.rejected names each field", () => {
    const sim = new Simulator();
    sim.submit({ spec: SPEC, count: 1, permission_mode: "bypassPermissions", allowed_tools: ["Bash"] });
    const [rejected] = sim.events("job.rejected");
    assert.deepEqual(
      rejected?.data.reasons.map((r) => r.path),
      ["permission_mode", "allowed_tools"],
    );
  });

  it("given agent options the operator allows, then generators carry them and critics do not", () => {
    const sim = new Simulator({ ...TEST_CONFIG, allowAgentPermissions: true });
    const jobId = sim.submit({
      spec: SPEC,
      count: 1,
      permission_mode: "acceptEdits",
      allowed_tools: ["Bash(npm test)"],
      max_turns: 12,
      system_prompt: "Be terse.",
      max_tokens: 2000,
    });
    sim.complete(ids(jobId, 1).g);
    const [gen, critic] = sim.events("task.created");
    assert.deepEqual(gen?.data.agent, {
      permission_mode: "acceptEdits",
      allowed_tools: ["Bash(npm test)"],
      max_turns: 12,
      system_prompt: "Be terse.",
      max_tokens: 2000,
    });
    assert.equal(critic?.data.task_type, "critic");
    assert.equal(critic?.data.agent, undefined);
  });
});

describe("decide: handoff", () => {
  it("given agents that keep handing off, then continuations go to the heavy queue until the chain limit, then the iteration fails", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    const it1 = ids(jobId, 1);
    sim.handoff(it1.g, "write part 2");
    sim.handoff(it1.k(1), "write part 3");
    sim.handoff(it1.k(2), "write part 4");

    const conts = sim.events("task.created").filter((e) => e.data.task_type === "continuation");
    assert.deepEqual(
      conts.map((e) => [e.task_id, e.data.queue, e.data.round, e.data.parent_task_id, e.data.root_task_id]),
      [
        [it1.k(1), "heavy", 1, it1.g, it1.g],
        [it1.k(2), "heavy", 2, it1.k(1), it1.g],
      ],
    );
    assert.equal(conts[0]?.data.priority, 1000 - 1 + 500);
    const first = conts[0]?.data;
    assert.ok(
      first && "inline" in first.prompt && first.prompt.inline.includes("write part 2"),
      "remaining work",
    );
    assert.deepEqual(first?.attachments, [
      { label: "EARLIER OUTPUT", ref: `out/${it1.g}/1`, inline: "partial" },
    ]);
    assert.equal(conts.length, TEST_CONFIG.maxContinuations);

    const [ended] = sim.events("job.iteration_ended");
    assert.equal(ended?.data.outcome, "failed");
    assert.match(ended?.data.reason ?? "", /handoff chain limit \(2\)/);
  });

  it("given a continuation that completes, then the critic reviews the continuation's output", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    const it1 = ids(jobId, 1);
    sim.handoff(it1.g, "finish");
    sim.complete(it1.k(1));
    const critic = sim.task(it1.c(1)).created;
    assert.equal(critic.target_task_id, it1.k(1));
    assert.equal(critic.queue, "critic");
    sim.critique(it1.c(1), PASS);
    assert.equal(sim.events("job.iteration_ended")[0]?.data.best_task_id, it1.k(1));
  });
});

describe("decide: critique and revision", () => {
  it("given critiques that never pass, then revisers run for rounds 1 and 2, then the iteration is exhausted with the best version", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    const it1 = ids(jobId, 1);
    sim.complete(it1.g);
    sim.critique(it1.c(1), { compliance: 6, quality: 5, critique: "too vague: add numbers" });
    sim.complete(it1.r(1));
    sim.critique(it1.c(2), { compliance: 7, quality: 7 });
    sim.complete(it1.r(2));
    sim.critique(it1.c(3), { compliance: 6, quality: 6 });

    const revisers = sim.events("task.created").filter((e) => e.data.task_type === "reviser");
    assert.deepEqual(
      revisers.map((e) => [
        e.task_id,
        e.data.round,
        e.data.queue,
        e.data.parent_task_id,
        e.data.root_task_id,
      ]),
      [
        [it1.r(1), 1, "heavy", it1.c(1), it1.g],
        [it1.r(2), 2, "heavy", it1.c(2), it1.g],
      ],
    );
    const r1 = revisers[0]?.data;
    assert.ok(r1 && "inline" in r1.prompt && r1.prompt.inline.includes("too vague: add numbers"), "critique");
    assert.deepEqual(r1?.attachments, [
      { label: "OUTPUT TO REVISE", ref: `out/${it1.g}/1`, inline: `output of ${it1.g}` },
    ]);

    const critics = sim.events("task.created").filter((e) => e.data.task_type === "critic");
    assert.deepEqual(
      critics.map((e) => [e.task_id, e.data.target_task_id, e.data.round]),
      [
        [it1.c(1), it1.g, 0],
        [it1.c(2), it1.r(1), 1],
        [it1.c(3), it1.r(2), 2],
      ],
    );

    const [ended] = sim.events("job.iteration_ended");
    assert.deepEqual(
      [ended?.data.outcome, ended?.data.best_task_id],
      ["exhausted", it1.r(1)],
      "the best-scored version (min of compliance and quality) wins",
    );
    assert.match(ended?.data.reason ?? "", /revision limit \(2\)/);
    assert.equal(sim.events("job.completed")[0]?.data.reason, "all_done");
  });

  it("given a low critique then a passing one, then one reviser runs and the iteration passes with the revision", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    const it1 = ids(jobId, 1);
    sim.complete(it1.g);
    sim.critique(it1.c(1), { compliance: 9, quality: 5 });
    sim.complete(it1.r(1));
    sim.critique(it1.c(2), PASS);
    const [ended] = sim.events("job.iteration_ended");
    assert.deepEqual([ended?.data.outcome, ended?.data.best_task_id], ["passed", it1.r(1)]);
  });

  it("given max revisions 0, then a low critique exhausts the iteration at once", () => {
    const sim = new Simulator({ ...TEST_CONFIG, maxRevisions: 0 });
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    sim.complete(ids(jobId, 1).g);
    sim.critique(ids(jobId, 1).c(1), { compliance: 5, quality: 5 });
    assert.equal(sim.events("task.created").filter((e) => e.data.task_type === "reviser").length, 0);
    assert.equal(sim.events("job.iteration_ended")[0]?.data.outcome, "exhausted");
  });

  it("given low critiques for a spec, then the next job with that spec gets IMPROVEMENT_ADVICE in its generator prompts", () => {
    const sim = new Simulator({ ...TEST_CONFIG, maxRevisions: 0 });
    const a = sim.submit({ spec: SPEC, count: 1 }, "a");
    sim.complete(ids(a, 1).g);
    sim.critique(ids(a, 1).c(1), { compliance: 5, quality: 5, critique: "misses the point" });
    const b = sim.submit({ spec: SPEC, count: 1 }, "b");
    const c = sim.submit({ spec: "A different spec.", count: 1 }, "c");
    const promptOf = (id: string) => {
      const p = sim.events("task.created").find((e) => e.task_id === id)?.data.prompt;
      return p && "inline" in p ? p.inline : "";
    };
    assert.doesNotMatch(promptOf(ids(a, 1).g), /IMPROVEMENT_ADVICE:/);
    assert.match(promptOf(ids(b, 1).g), /IMPROVEMENT_ADVICE:/);
    assert.match(promptOf(ids(b, 1).g), /misses the point/);
    assert.doesNotMatch(promptOf(ids(c, 1).g), /IMPROVEMENT_ADVICE:/);
  });
});

describe("decide: critic failures", () => {
  it("given a critic that keeps failing (say, unparseable), then it is retried, dead-lettered, and the iteration fails", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    const it1 = ids(jobId, 1);
    sim.complete(it1.g);
    for (let i = 0; i < TEST_CONFIG.maxAttempts; i++) sim.fail(it1.c(1), "critique unparseable");
    assert.deepEqual(
      sim.events("task.retry_scheduled").map((e) => [e.task_id, e.data.attempt]),
      [
        [it1.c(1), 2],
        [it1.c(1), 3],
      ],
    );
    assert.deepEqual(
      sim.events("task.dead_lettered").map((e) => e.task_id),
      [it1.c(1)],
    );
    assert.equal(sim.events("job.iteration_ended")[0]?.data.outcome, "failed");
    assert.equal(sim.events("task.created").filter((e) => e.data.task_type === "critic").length, 1);
  });
});

describe("decide: what the orchestrator keeps in memory", () => {
  it("given jobs that completed, then neither they nor their tasks stay in its state", () => {
    const sim = new Simulator();
    for (const key of ["m1", "m2", "m3"]) {
      const jobId = sim.submit({ spec: SPEC, count: 2 }, key);
      for (const n of [1, 2]) {
        sim.complete(ids(jobId, n).g);
        sim.critique(ids(jobId, n).c(1), PASS);
      }
    }
    assert.equal(sim.events("job.completed").length, 3);
    assert.equal(sim.state.jobs.size, 0);
    assert.equal(sim.state.tasks.size, 0);
  });

  it("given a cancelled job with a task still running, then it is kept until that task ends", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    sim.start(ids(jobId, 1).g);
    sim.control({ type: "cancel", job_id: jobId, reason: "enough" });
    assert.equal(sim.state.jobs.get(jobId)?.status, "cancelled");
    assert.equal(sim.task(ids(jobId, 1).g).status, "cancel_requested");
    sim.external(
      Subjects.task(ids(jobId, 1).g),
      newEvent(
        "task.cancelled",
        { reason: "job cancelled" },
        { job_id: jobId, task_id: ids(jobId, 1).g, now: Date.now() },
      ),
    );
    assert.equal(sim.state.jobs.size, 0);
    assert.equal(sim.state.tasks.size, 0);
  });

  it("given a job forgotten after it completed, when the same key is submitted again, then no second job starts", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 }, "again");
    sim.complete(ids(jobId, 1).g);
    sim.critique(ids(jobId, 1).c(1), PASS);
    assert.equal(sim.state.jobs.size, 0);
    sim.submit({ spec: SPEC, count: 1 }, "again");
    assert.equal(sim.events("job.submitted").length, 1, "job.submitted only goes to an empty subject");
    assert.equal(sim.events("task.created").length, 2);
  });
});

describe("decide: a job ends after its last task", () => {
  it("given the last critique, then job.completed follows the critic's own task.completed and counts its cost", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    sim.complete(ids(jobId, 1).g, 0.002);
    sim.critique(ids(jobId, 1).c(1), PASS, 0.003);
    const criticDone = sim.events("task.completed").find((e) => e.task_id === ids(jobId, 1).c(1));
    const [done] = sim.events("job.completed");
    assert.ok(criticDone && done, "both recorded");
    assert.ok(
      done.seq > criticDone.seq,
      `job.completed at ${done.seq}, critic's completion at ${criticDone.seq}`,
    );
    assert.ok(Math.abs(done.data.cost_usd - 0.005) < 1e-9, `cost ${done.data.cost_usd}`);
  });
});

describe("decide: budget", () => {
  it("given an infinite job with a budget, when spending reaches it, then no new tasks start and the job completes with reason budget", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: "infinite", budget_usd: 0.05 });
    assert.deepEqual(sim.waves()[0]?.iterations, [1, 2, 3, 4]);
    sim.complete(ids(jobId, 1).g, 0.02);
    sim.critique(ids(jobId, 1).c(1), PASS, 0.01);
    sim.complete(ids(jobId, 2).g, 0.03); // 0.06 ≥ 0.05

    const [exceeded] = sim.events("job.budget_exceeded");
    assert.ok(exceeded, "job.budget_exceeded recorded");
    assert.equal(exceeded.data.budget_usd, 0.05);
    assert.ok(exceeded.data.spent_usd >= 0.05, `spent ${exceeded.data.spent_usd}`);

    sim.fail(ids(jobId, 3).g);
    sim.complete(ids(jobId, 4).g, 0.01);

    const createdAfter = sim.events("task.created").filter((e) => e.seq > exceeded.seq);
    assert.deepEqual(createdAfter, [], "no task is created once the budget is spent");
    assert.equal(sim.events("task.retry_scheduled").length, 0, "no retry once the budget is spent");
    assert.equal(sim.waves().length, 1, "no second wave");
    assert.deepEqual(
      sim.events("job.iteration_ended").map((e) => [e.data.iteration, e.data.outcome]),
      [
        [1, "passed"],
        [2, "exhausted"],
        [3, "failed"],
        [4, "exhausted"],
      ],
    );
    const [done] = sim.events("job.completed");
    assert.equal(done?.data.reason, "budget");
    assert.ok((done?.data.cost_usd ?? 0) >= 0.05, `cost ${done?.data.cost_usd}`);
    assert.equal(sim.events("job.budget_exceeded").length, 1);
  });

  it("given an infinite job, when the last critic's own cost reaches the budget, then no next wave is planned", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: "infinite", budget_usd: 0.1 });
    for (const n of [1, 2, 3, 4]) sim.complete(ids(jobId, n).g, 0.01);
    // Critiques record before the critic's task.completed (and its cost): 0.04 + 4 × 0.015 = 0.1.
    for (const n of [1, 2, 3, 4]) sim.critique(ids(jobId, n).c(1), PASS, 0.015);
    assert.equal(sim.waves().length, 1, "no second wave");
    const [done] = sim.events("job.completed");
    assert.equal(done?.data.reason, "budget");
    assert.ok(Math.abs((done?.data.cost_usd ?? 0) - 0.1) < 1e-9, `cost ${done?.data.cost_usd}`);
  });

  it("given a low critique after the budget is spent, then the iteration is exhausted instead of revised", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 2, budget_usd: 0.01 });
    sim.complete(ids(jobId, 1).g, 0.004);
    sim.complete(ids(jobId, 2).g, 0.008); // spent while iteration 1's critic is pending
    sim.critique(ids(jobId, 1).c(1), { compliance: 4, quality: 4 });
    assert.equal(sim.events("task.created").filter((e) => e.data.task_type === "reviser").length, 0);
    const ended = sim.events("job.iteration_ended").find((e) => e.data.iteration === 1);
    assert.deepEqual(
      [ended?.data.outcome, ended?.data.reason, ended?.data.best_task_id],
      ["exhausted", "budget spent", ids(jobId, 1).g],
    );
    assert.equal(sim.events("job.completed")[0]?.data.reason, "budget");
  });

  it("given an infinite job without a budget or stop, then it ends at max_iterations with consecutive iteration numbers", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: "infinite", max_iterations: 6 });
    for (let n = 1; n <= 6; n++) {
      sim.complete(ids(jobId, n).g);
      sim.critique(ids(jobId, n).c(1), PASS);
    }
    const planned = sim.waves().flatMap((w) => w.iterations);
    assert.deepEqual(planned, [1, 2, 3, 4, 5, 6]);
    assert.equal(sim.events("job.completed")[0]?.data.reason, "max_iterations");
  });
});

describe("decide: emergency stop", () => {
  it("given a stopped system, when a job is submitted, then it is accepted and waits; on resume its tasks are queued and dispatched", () => {
    const sim = new Simulator();
    sim.control({ type: "stop", reason: "test" });
    assert.equal(sim.events("system.stopped").length, 1);
    const jobId = sim.submit({ spec: SPEC, count: 2 });
    assert.equal(sim.acceptances().length, 1);
    assert.equal(sim.waves().length, 0, "stop means pause: no wave is planned");
    assert.deepEqual(sim.dispatches(), []);

    sim.control({ type: "resume", reason: "test" });
    assert.equal(sim.events("system.resumed").length, 1);
    assert.deepEqual(
      sim
        .dispatches()
        .map((d) => d.task_id)
        .sort(),
      [ids(jobId, 1).g, ids(jobId, 2).g].sort(),
    );
  });

  it("given a stop twice or a resume while running, then nothing extra is recorded", () => {
    const sim = new Simulator();
    sim.control({ type: "resume", reason: "nothing to resume" });
    sim.control({ type: "stop", reason: "one" });
    sim.control({ type: "stop", reason: "two" });
    assert.equal(sim.events("system.resumed").length, 0);
    assert.equal(sim.events("system.stopped").length, 1);
  });

  it("given a failed task while stopped, then its retry is not dispatched until resume", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    sim.control({ type: "stop", reason: "test" });
    const before = sim.dispatches().length;
    sim.fail(ids(jobId, 1).g);
    assert.equal(sim.events("task.retry_scheduled").length, 1);
    assert.equal(sim.dispatches().length, before);
    sim.control({ type: "resume", reason: "test" });
    assert.equal(sim.dispatches().at(-1)?.attempt, 2);
  });

  it("given an infinite job stopped mid-wave, when the wave finishes, then it waits; on resume its next wave is planned", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: "infinite", max_iterations: 100 });
    sim.control({ type: "stop", reason: "emergency" });
    for (let n = 1; n <= 4; n++) {
      sim.complete(ids(jobId, n).g);
      sim.critique(ids(jobId, n).c(1), PASS);
    }
    assert.equal(sim.waves().length, 1, "no wave planned while stopped");
    assert.deepEqual(sim.events("job.completed"), [], "stop means pause: the job is not completed");
    sim.control({ type: "resume", reason: "go on" });
    const waves = sim.waves();
    assert.equal(waves.length, 2, "the next wave follows the resume");
    assert.deepEqual(waves[1]?.iterations, [5, 6, 7, 8]);
    assert.deepEqual(sim.events("job.completed"), []);
  });

  it("given a fixed job whose last wave ended while stopped, then it completes as usual", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 2 });
    sim.control({ type: "stop", reason: "emergency" });
    for (let n = 1; n <= 2; n++) {
      sim.complete(ids(jobId, n).g);
      sim.critique(ids(jobId, n).c(1), PASS);
    }
    const [done] = sim.events("job.completed");
    assert.deepEqual([done?.data.reason, done?.data.iterations_passed], ["all_done", 2]);
  });
});

describe("decide: cancel", () => {
  it("given a job cancel, then queued tasks are cancelled, running ones asked to stop", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 2 });
    sim.start(ids(jobId, 1).g);
    sim.control({ type: "cancel", job_id: jobId, reason: "no longer needed" });
    assert.deepEqual(
      sim.events("task.cancel_requested").map((e) => e.task_id),
      [ids(jobId, 1).g],
    );
    assert.deepEqual(
      sim.events("task.cancelled").map((e) => e.task_id),
      [ids(jobId, 2).g],
    );
    assert.equal(sim.events("job.cancelled").length, 1);
    assert.equal(sim.events("job.completed").length, 0, "a cancelled job does not also complete");
  });
});

describe("decide: what a work item lets a worker skip", () => {
  const queuedSeqs = (sim: Simulator, taskId: string) =>
    sim
      .dispatches()
      .filter((d) => d.task_id === taskId)
      .map((d) => d.queued_seq);

  it("given a first dispatch, then the item names the task.created sequence (it queued the task) the worker may claim at", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    const created = sim.events("task.created").find((e) => e.task_id === ids(jobId, 1).g);
    assert.ok(created?.data.queued);
    assert.deepEqual(queuedSeqs(sim, ids(jobId, 1).g), [created.seq]);
    assert.deepEqual(
      sim.dispatches().map((d) => d.created_seq),
      [created.seq],
    );
  });

  it("given a first dispatch, then the item carries the task.created data as stored, attachment text included (the worker reads nothing)", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    sim.complete(ids(jobId, 1).g, 0.001, "An answer the critic judges.");
    for (const id of [ids(jobId, 1).g, ids(jobId, 1).c(1)]) {
      const created = sim.events("task.created").find((e) => e.task_id === id);
      const item = sim.dispatches().find((d) => d.task_id === id);
      assert.ok(created && item, `${id} created and dispatched`);
      assert.deepEqual(item.created, created.data, `${id}: the item's copy is the stored event's data`);
    }
    const critic = sim.dispatches().find((d) => d.task_id === ids(jobId, 1).c(1));
    assert.ok(
      critic?.created?.attachments.some((a) => a.inline),
      "the critic's item keeps the inline output",
    );
  });

  it("given a task.created larger than an item may carry, then the item names its sequence only", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: `${SPEC} ${"x".repeat(CREATED_IN_ITEM_MAX_BYTES)}`, count: 1 });
    const item = sim.dispatches().find((d) => d.task_id === ids(jobId, 1).g);
    assert.ok(item?.queued_seq && item.created_seq, "still claimable at its sequence");
    assert.equal(item.created, undefined);
  });

  it("given a retry after a plain failure, then its item carries no task.created (only a first dispatch decided on it does)", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    sim.fail(ids(jobId, 1).g);
    const items = sim.dispatches().filter((d) => d.task_id === ids(jobId, 1).g);
    assert.deepEqual(
      items.map((d) => d.created !== undefined),
      [true, false],
    );
  });

  it("given a retry with validation feedback, then the item names no sequence (the worker must read the feedback)", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    sim.failValidation(ids(jobId, 1).g, "Answer with JSON.");
    const items = sim.dispatches().filter((d) => d.task_id === ids(jobId, 1).g);
    assert.deepEqual(
      items.map((d) => [d.attempt, d.queued_seq === undefined]),
      [
        [1, false],
        [2, true],
      ],
    );
  });

  it("given a retry after a plain failure, then the item names the task.retry_scheduled sequence", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    sim.fail(ids(jobId, 1).g);
    const retry = sim.events("task.retry_scheduled").find((e) => e.task_id === ids(jobId, 1).g);
    assert.equal(queuedSeqs(sim, ids(jobId, 1).g).at(-1), retry?.seq);
  });
});

describe("evolve: an input delivered twice", () => {
  it("given a task event applied already, when it comes again (a redelivery), then nothing changes and nothing throws", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 2 });
    sim.complete(ids(jobId, 1).g, 0.25);
    const done = sim.events("task.completed").find((e) => e.task_id === ids(jobId, 1).g);
    assert.ok(done);
    const before = structuredClone({
      task: sim.task(ids(jobId, 1).g),
      cost: sim.state.jobs.get(jobId)?.cost_usd,
    });
    evolve(sim.state, done, done.seq);
    assert.deepEqual(
      { task: sim.task(ids(jobId, 1).g), cost: sim.state.jobs.get(jobId)?.cost_usd },
      before,
      "the cost is not counted twice",
    );
  });

  it("given a critique applied already, when it comes again, then quality history counts it once", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 2 });
    sim.complete(ids(jobId, 1).g);
    sim.critique(ids(jobId, 1).c(1), { compliance: 4, quality: 4 });
    const [critique] = sim.events("critique.recorded");
    assert.ok(critique);
    const samples = () => [...sim.state.quality.values()].flat().length;
    assert.equal(samples(), 1);
    evolve(sim.state, critique, critique.seq);
    assert.equal(samples(), 1);
  });
});
