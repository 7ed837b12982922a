import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { STREAM_EVENTS, Subjects } from "../../src/core/events/index.ts";
import { jobIdFor, taskIdFor } from "../../src/core/ids.ts";
import { eventually, type GatewayHarness, startGatewayHarness } from "./harness.ts";

// Raw messages on agents.submit (not events, so read them by sequence).
async function submissions(h: GatewayHarness) {
  const { state } = await h.jsm.streams.info(STREAM_EVENTS);
  const out = [];
  for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
    const m = await h.jsm.streams.getMessage(STREAM_EVENTS, { seq }).catch(() => null);
    if (m?.subject === Subjects.submit)
      out.push({ seq, msgId: m.header?.get("Nats-Msg-Id"), body: m.json() });
  }
  return out;
}

describe("POST /v1/agents/submit", () => {
  let h: GatewayHarness;
  before(async () => {
    h = await startGatewayHarness({ actors: true, env: { AGENTS_MAX_PAYLOAD_BYTES: "4096" } });
  });
  after(() => h.stop());

  it("given a valid body and a key, then 202 with the derived job id, first-wave task ids and URLs", async () => {
    const res = await h.app.inject({
      method: "POST",
      url: "/v1/agents/submit",
      headers: { "idempotency-key": "submit-a" },
      payload: { spec: "Write a haiku about queues.", count: 3 },
    });
    assert.equal(res.statusCode, 202, res.body);
    const body = res.json();
    const job = jobIdFor("submit-a");
    assert.equal(body.job_id, job);
    assert.deepEqual(
      body.task_ids,
      [1, 2, 3].map((n) => taskIdFor(job, n, "generator", 0)),
    );
    assert.equal(body.status_url, `/v1/agents/status/${job}`);
    assert.equal(body.events_url, `/v1/agents/events?job=${job}`);
    assert.equal(res.headers.location, body.status_url);
    const sent = (await submissions(h)).find((s) => s.msgId === "submit-a");
    assert.ok(sent, "published on agents.submit with Nats-Msg-Id = the key");
    assert.deepEqual(sent.body, {
      spec: "Write a haiku about queues.",
      count: 3,
      idempotency_key: "submit-a",
    });
  });

  it("given the same Idempotency-Key twice, then both answers name one job and the stream holds one job", async () => {
    const send = () =>
      h.app.inject({
        method: "POST",
        url: "/v1/agents/submit",
        headers: { "idempotency-key": "submit-twice" },
        payload: { spec: "One line about idempotency.", count: 1 },
      });
    const first = (await send()).json();
    const second = (await send()).json();
    assert.equal(first.job_id, second.job_id);
    assert.equal(first.duplicate, false);
    assert.equal(second.duplicate, true);
    const job = first.job_id as string;
    await eventually(async () => {
      const s = await h.app.inject({ url: `/v1/agents/status/${job}` });
      return s.statusCode === 200 && s.json().job.status === "completed" ? true : undefined;
    });
    const submitted = (await h.events(Subjects.job(job))).filter((e) => e.event.type === "job.submitted");
    assert.equal(submitted.length, 1);
    const first0 = submitted[0]?.event;
    assert.equal(first0?.type === "job.submitted" && first0.data.source, "gateway");
    assert.equal((await submissions(h)).filter((s) => s.msgId === "submit-twice").length, 1);
  });

  it("given no key, then the gateway makes one and the job id derives from it", async () => {
    const res = await h.app.inject({
      method: "POST",
      url: "/v1/agents/submit",
      payload: { spec: "Anything.", count: "infinite", max_iterations: 2 },
    });
    assert.equal(res.statusCode, 202);
    const body = res.json();
    assert.match(body.idempotency_key, /^[0-9a-f-]{36}$/);
    assert.equal(body.job_id, jobIdFor(body.idempotency_key));
    assert.equal(body.task_ids.length, 2, "an infinite job's first wave is capped by max_iterations");
  });

  it("given a bad count and an empty spec, then 400 naming each field", async () => {
    const res = await h.app.inject({
      method: "POST",
      url: "/v1/agents/submit",
      payload: { spec: "", count: 0 },
    });
    assert.equal(res.statusCode, 400);
    const { error } = res.json();
    assert.equal(error.code, "VALIDATION_FAILED");
    const paths = error.fields.map((f: { path: string }) => f.path);
    assert.ok(paths.includes("count"), JSON.stringify(error));
    assert.ok(paths.includes("spec"), JSON.stringify(error));
    assert.match(error.message, /count/);
  });

  it("given a validator with bad params, then 400 naming validation.N.params.<field> and nothing is stored", async () => {
    const before = (await submissions(h)).length;
    const submit = (validation: unknown[]) =>
      h.app.inject({
        method: "POST",
        url: "/v1/agents/submit",
        payload: { spec: "x", count: 1, validation },
      });
    const pattern = await submit([{ type: "json" }, { type: "regex", params: { pattern: "(" } }]);
    assert.equal(pattern.statusCode, 400);
    const [field] = pattern.json().error.fields;
    assert.equal(field.path, "validation.1.params.pattern", JSON.stringify(pattern.json()));
    assert.match(field.message, /invalid regular expression/);
    const wrongType = await submit([{ type: "length", params: { min_length: "3" } }]);
    assert.equal(wrongType.statusCode, 400);
    assert.equal(wrongType.json().error.fields[0].path, "validation.0.params.min_length");
    assert.match(wrongType.json().error.fields[0].message, /expected a number/);
    const missing = await submit([{ type: "regex" }]);
    assert.equal(missing.json().error.fields[0].path, "validation.0.params.pattern");
    assert.equal((await submissions(h)).length, before, "no bad submission reached the stream");
    // A pattern that would backtrack for ever elsewhere compiles (the regex engine is linear-time).
    const hostile = await submit([{ type: "regex", params: { pattern: "([A-Za-z0-9]+ ?)+#" } }]);
    assert.equal(hostile.statusCode, 202, JSON.stringify(hostile.json()));
  });

  it("given an unknown field, an unknown validator or non-JSON, then 400 naming the problem", async () => {
    const unknownField = await h.app.inject({
      method: "POST",
      url: "/v1/agents/submit",
      payload: { spec: "x", count: 1, colour: "blue" },
    });
    assert.equal(unknownField.statusCode, 400);
    assert.deepEqual(unknownField.json().error.fields[0].path, "colour");
    const validator = await h.app.inject({
      method: "POST",
      url: "/v1/agents/submit",
      payload: { spec: "x", count: 1, validation: [{ type: "not_a_validator" }] },
    });
    assert.equal(validator.statusCode, 400);
    assert.equal(validator.json().error.fields[0].path, "validation.0.type");
    const garbage = await h.app.inject({
      method: "POST",
      url: "/v1/agents/submit",
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    assert.equal(garbage.statusCode, 400);
    assert.equal(garbage.json().error.code, "VALIDATION_FAILED");
  });

  it("given model names that could be read as flags or shell words, then 400 naming each field and nothing is published", async () => {
    const before = (await submissions(h)).length;
    for (const [payload, path] of [
      [{ model: "--dangerously-skip-permissions" }, "model"],
      [{ model: "-p" }, "model"],
      [{ model: "sonnet --permission-mode bypassPermissions" }, "model"],
      [{ model: "gpt-4o;rm -rf ~" }, "model"],
      [{ fallback_models: ["haiku", "--dangerously-skip-permissions"] }, "fallback_models.1"],
    ] as const) {
      const res = await h.app.inject({
        method: "POST",
        url: "/v1/agents/submit",
        payload: { spec: "One line.", count: 1, ...payload },
      });
      assert.equal(res.statusCode, 400, `${JSON.stringify(payload)}: ${res.body}`);
      const fields = res.json().error.fields as Array<{ path: string; message: string }>;
      assert.deepEqual(
        fields.map((f) => f.path),
        [path],
      );
      assert.match(fields[0]?.message ?? "", /must start with a letter or digit/);
    }
    assert.equal((await submissions(h)).length, before, "no hostile submission was published");
  });

  it("given real model names of every provider shape, then 202", async () => {
    const names = [
      "claude-sonnet-4-5",
      "gpt-4o-2024-08-06",
      "max/opus",
      "openrouter/meta-llama/llama-3.1-70b:free",
      "ollama/qwen2.5:7b",
    ];
    const res = await h.app.inject({
      method: "POST",
      url: "/v1/agents/submit",
      payload: { spec: "One line.", count: 1, model: names[0], fallback_models: names.slice(1) },
    });
    assert.equal(res.statusCode, 202, res.body);
  });

  it("given budget_usd and a fallback model without a price, then 400 naming it over REST and job.rejected over NATS, never $0", async () => {
    const body = {
      spec: "One line about unpriced models.",
      count: 1,
      model: "claude-sonnet-4-5",
      fallback_models: ["gpt-4o", "llama3-local"],
      budget_usd: 1,
    };
    const before = (await submissions(h)).length;
    const res = await h.app.inject({ method: "POST", url: "/v1/agents/submit", payload: body });
    assert.equal(res.statusCode, 400, res.body);
    const error = res.json().error;
    assert.deepEqual(
      error.fields.map((f: { path: string }) => f.path),
      ["fallback_models.1"],
      "only the unpriced model is named (claude-sonnet-4-5 and gpt-4o have default prices)",
    );
    assert.match(error.fields[0].message, /model "llama3-local" has no price.*AGENTS_PRICES/);
    assert.equal((await submissions(h)).length, before, "nothing was published");
    // The same body from another service on agents.submit: the orchestrator applies the same rule.
    await h.js.publish(Subjects.submit, JSON.stringify({ ...body, idempotency_key: "unpriced-nats" }), {
      msgID: "unpriced-nats",
    });
    const rejected = await eventually(async () =>
      (await h.events(Subjects.jobs)).find(
        (e) => e.event.type === "job.rejected" && e.event.data.excerpt.includes("unpriced models"),
      ),
    );
    assert.ok(rejected?.event.type === "job.rejected");
    assert.deepEqual(
      rejected.event.data.reasons.map((r) => r.path),
      ["fallback_models.1"],
    );
    assert.match(rejected.event.data.reasons[0]?.message ?? "", /llama3-local/);
  });

  it("given budget_usd and only priced models, then 202", async () => {
    const res = await h.app.inject({
      method: "POST",
      url: "/v1/agents/submit",
      payload: {
        spec: "One line.",
        count: 1,
        model: "sonnet",
        fallback_models: ["gpt-4o-mini"],
        budget_usd: 1,
      },
    });
    assert.equal(res.statusCode, 202, res.body);
  });

  it("given permission_mode and allowed_tools, then 400 naming both unless the operator allows them (AGENTS_SUBMIT_PERMISSIONS)", async () => {
    const payload = {
      spec: "One line.",
      count: 1,
      permission_mode: "acceptEdits",
      allowed_tools: ["Bash(npm test)"],
      max_turns: 4,
      system_prompt: "Answer in English.",
    };
    const refused = await h.app.inject({ method: "POST", url: "/v1/agents/submit", payload });
    assert.equal(refused.statusCode, 400, refused.body);
    assert.deepEqual(
      refused.json().error.fields.map((f: { path: string }) => f.path),
      ["permission_mode", "allowed_tools"],
    );
    assert.match(refused.json().error.fields[0].message, /AGENTS_SUBMIT_PERMISSIONS=true/);
    const allowing = await h.appWith({ AGENTS_SUBMIT_PERMISSIONS: "true" });
    const accepted = await allowing.inject({ method: "POST", url: "/v1/agents/submit", payload });
    assert.equal(accepted.statusCode, 202, accepted.body);
  });

  it("given a body over AGENTS_MAX_PAYLOAD_BYTES, then 413 in the error shape", async () => {
    const res = await h.app.inject({
      method: "POST",
      url: "/v1/agents/submit",
      payload: { spec: "x".repeat(5000), count: 1 },
    });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error.code, "PAYLOAD_TOO_LARGE");
  });

  it("given an unknown route, then 404 in the error shape", async () => {
    const res = await h.app.inject({ url: "/v1/agents/nope/nope" });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, "NOT_FOUND");
  });
});
