import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Subjects } from "../../src/core/events/index.ts";
import { jobIdFor } from "../../src/core/ids.ts";
import { ofType, useStack } from "../support/index.ts";

describe("given submissions published with a plain core NATS publish (what `nats pub` does)", () => {
  const stack = useStack({ workers: 1 });

  it("when good, malformed and non-JSON ones arrive, then the good become jobs and the bad are rejected by field", async () => {
    const key = `nats-pub-${process.pid}-${Date.now()}`;
    const publish = (body: string) => stack().nc.publish(Subjects.submit, body);
    publish(JSON.stringify({ spec: "Write one line about pipes.", count: 1, idempotency_key: `${key}-1` }));
    const malformed = JSON.stringify({ spec: "x", count: "many" });
    publish(malformed);
    publish("count=3 spec=not json");
    publish(JSON.stringify({ spec: "Write one line about sockets.", count: 1, idempotency_key: `${key}-2` }));
    await stack().nc.flush();

    const first = jobIdFor(`${key}-1`);
    const last = jobIdFor(`${key}-2`);
    for (const jobId of [first, last]) {
      const events = await stack().waitFor(
        Subjects.job(jobId),
        (es) => ofType(es, "job.completed").length > 0,
        40_000,
      );
      const submitted = ofType(events, "job.submitted")[0];
      assert.equal(submitted?.event.data.source, "nats");
      assert.equal(ofType(events, "job.completed")[0]?.event.data.iterations_passed, 1);
    }

    const jobs = await stack().waitFor(Subjects.jobs, (es) => ofType(es, "job.rejected").length >= 2, 30_000);
    const rejected = ofType(jobs, "job.rejected");
    assert.equal(rejected.length, 2, "exactly the two bad submissions were rejected");
    const bad = rejected.find((e) => e.event.data.excerpt === malformed);
    assert.ok(bad, "the malformed submission was rejected with its excerpt");
    assert.deepEqual(
      bad.event.data.reasons.map((r) => r.path),
      ["count"],
      "the reason names the field",
    );
    const notJson = rejected.find((e) => e.event.data.excerpt === "count=3 spec=not json");
    assert.ok(notJson, "the non-JSON submission was rejected");
    assert.match(notJson.event.data.reasons[0]?.message ?? "", /not JSON/);
    // A rejected submission is not a job: nothing was planned for it.
    for (const r of rejected) {
      const own = jobs.filter((e) => e.subject === r.subject).map((e) => e.event.type);
      assert.deepEqual(own, ["job.rejected"]);
    }
    // The rejections came between the two good submissions, which were both processed in order.
    const submittedSeqs = ofType(jobs, "job.submitted").map((e) => e.event.data.submit_seq);
    const rejectedSeqs = rejected.map((e) => e.event.data.submit_seq);
    assert.ok(
      Math.max(...rejectedSeqs) < Math.max(...submittedSeqs),
      "the good one after the bad was processed",
    );
  });

  it("when a submission names a model that looks like a flag, then it is rejected naming the field and no agent sees it", async () => {
    const key = `nats-model-${process.pid}-${Date.now()}`;
    const publish = (body: Record<string, unknown>) =>
      stack().nc.publish(Subjects.submit, JSON.stringify({ spec: "Write one line.", count: 1, ...body }));
    publish({ model: "--dangerously-skip-permissions", idempotency_key: `${key}-model` });
    publish({
      fallback_models: ["haiku", "--dangerously-skip-permissions"],
      idempotency_key: `${key}-fallback`,
    });
    publish({ model: "claude-sonnet-4-5", idempotency_key: `${key}-good` });
    await stack().nc.flush();

    // The good one, published last, completes: everything before it has been decided.
    await stack().waitFor(
      Subjects.job(jobIdFor(`${key}-good`)),
      (es) => ofType(es, "job.completed").length > 0,
      40_000,
    );
    const rejectedFor = async (suffix: string) => {
      const jobs = await stack().waitFor(
        Subjects.jobs,
        (es) => ofType(es, "job.rejected").some((e) => e.event.data.excerpt.includes(`${key}-${suffix}`)),
        30_000,
      );
      return ofType(jobs, "job.rejected").find((e) => e.event.data.excerpt.includes(`${key}-${suffix}`));
    };
    const byModel = await rejectedFor("model");
    assert.deepEqual(
      byModel?.event.data.reasons.map((r) => r.path),
      ["model"],
    );
    assert.match(byModel?.event.data.reasons[0]?.message ?? "", /must start with a letter or digit/);
    const byFallback = await rejectedFor("fallback");
    assert.deepEqual(
      byFallback?.event.data.reasons.map((r) => r.path),
      ["fallback_models.1"],
    );
    for (const run of await stack().agentRuns())
      assert.ok(
        !JSON.stringify(run).includes("dangerously"),
        `an agent got the hostile name: ${JSON.stringify(run)}`,
      );
  });

  it("when a submission names a validator with bad params, then job.rejected names validation.N.params.<field>", async () => {
    const key = `nats-params-${process.pid}-${Date.now()}`;
    const publish = (body: Record<string, unknown>) =>
      stack().nc.publish(Subjects.submit, JSON.stringify({ spec: "Write one line.", count: 1, ...body }));
    publish({ validation: [{ type: "regex", params: { pattern: "(" } }], idempotency_key: `${key}-pattern` });
    publish({
      validation: [{ type: "contains", params: { required_text: 7 } }],
      idempotency_key: `${key}-type`,
    });
    await stack().nc.flush();
    const rejectedFor = async (suffix: string) => {
      const jobId = jobIdFor(`${key}-${suffix}`);
      const events = await stack().waitFor(
        Subjects.job(jobId),
        (es) => ofType(es, "job.rejected").length > 0,
        30_000,
      );
      assert.equal(ofType(events, "job.submitted").length, 0, "no job was created");
      return ofType(events, "job.rejected")[0];
    };
    const byPattern = await rejectedFor("pattern");
    assert.deepEqual(
      byPattern?.event.data.reasons.map((r) => r.path),
      ["validation.0.params.pattern"],
    );
    assert.match(byPattern?.event.data.reasons[0]?.message ?? "", /invalid regular expression/);
    const byType = await rejectedFor("type");
    assert.deepEqual(
      byType?.event.data.reasons.map((r) => r.path),
      ["validation.0.params.required_text"],
    );

    // As a request (agents.submit.request), the refusal is the answer, and nothing is stored.
    const reply = await stack().nc.request(
      Subjects.submitRequest,
      JSON.stringify({
        spec: "Write one line.",
        count: 1,
        validation: [{ type: "length", params: { min_length: "many" } }],
        idempotency_key: `${key}-request`,
      }),
      { timeout: 20_000 },
    );
    const answer = reply.json<{ error?: { code: string; fields?: Array<{ path: string }> } }>();
    assert.equal(answer.error?.code, "VALIDATION_FAILED", JSON.stringify(answer));
    assert.deepEqual(
      answer.error?.fields?.map((f) => f.path),
      ["validation.0.params.min_length"],
    );
    const stored = await stack().events(Subjects.job(jobIdFor(`${key}-request`)));
    assert.equal(stored.length, 0, "a refused request stores nothing");
  });
});
