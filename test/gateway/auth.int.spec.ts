import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConfigError } from "../../src/core/errors.ts";
import { resolveAuth } from "../../src/gateway/auth.ts";
import { type GatewayHarness, startGatewayHarness } from "./harness.ts";

const KEY = "k".repeat(24);
const submit = { spec: "x", count: 1 };

describe("gateway security", () => {
  let h: GatewayHarness;
  before(async () => {
    h = await startGatewayHarness({ env: { AGENTS_LOCAL_MODE: "false", AGENTS_API_KEY: KEY } });
  });
  after(() => h.stop());

  it("given non-local mode with a key, when a request has no key, then 401 in the error shape", async () => {
    const res = await h.app.inject({ method: "POST", url: "/v1/agents/submit", payload: submit });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error.code, "UNAUTHORIZED");
    assert.match(res.json().error.message, /Bearer/);
    const queues = await h.app.inject({ url: "/v1/agents/queues" });
    assert.equal(queues.statusCode, 401);
  });

  it("given a wrong key, then 401; given the key, then the request is served", async () => {
    const wrong = await h.app.inject({ url: "/v1/agents/queues", headers: { authorization: "Bearer nope" } });
    assert.equal(wrong.statusCode, 401);
    const right = await h.app.inject({
      url: "/v1/agents/queues",
      headers: { authorization: `Bearer ${KEY}` },
    });
    assert.equal(right.statusCode, 200);
  });

  it("health, readiness, metrics and the OpenAPI document need no key", async () => {
    for (const url of ["/health", "/metrics", "/openapi.json"]) {
      const res = await h.app.inject({ url });
      assert.equal(res.statusCode, 200, url);
    }
    // No orchestrator runs in this harness: health says so, and that nothing is being decided.
    const health = (await h.app.inject({ url: "/health" })).json();
    assert.equal(health.status, "degraded");
    assert.deepEqual(health.orchestrator, { holder: null, renewed_at: null, ttl_ms: null, live: false });
    const doc = (await h.app.inject({ url: "/openapi.json" })).json();
    assert.ok(doc.paths["/v1/agents/submit"].post, "the submit route is documented");
    assert.ok(doc.paths["/v1/agents/events"].get);
    const ui = await h.app.inject({ url: "/docs/" });
    assert.equal(ui.statusCode, 200);
    assert.match(ui.body, /swagger/i);
  });

  it("given more requests than AGENTS_RATE_LIMIT_PER_MINUTE for one key, then 429 in the error shape", async () => {
    const app = await h.appWith({ AGENTS_RATE_LIMIT_PER_MINUTE: "3" });
    const auth = { authorization: `Bearer ${KEY}` };
    const codes = [];
    for (let i = 0; i < 4; i++)
      codes.push((await app.inject({ url: "/v1/agents/queues", headers: auth })).statusCode);
    assert.deepEqual(codes, [200, 200, 200, 429]);
    const res = await app.inject({ url: "/v1/agents/queues", headers: auth });
    assert.equal(res.json().error.code, "RATE_LIMITED");
    assert.ok(res.headers["retry-after"]);
    assert.equal((await app.inject({ url: "/health" })).statusCode, 200, "probes are not limited");
  });

  it("given local mode on loopback, then no key is needed", async () => {
    const app = await h.appWith({ AGENTS_LOCAL_MODE: "true", AGENTS_API_KEY: "" });
    assert.equal((await app.inject({ url: "/v1/agents/queues" })).statusCode, 200);
  });

  it("given no key outside local mode, then the gateway refuses to start, naming AGENTS_API_KEY", async () => {
    await assert.rejects(h.appWith({ AGENTS_LOCAL_MODE: "false", AGENTS_API_KEY: "" }), (err: unknown) => {
      return err instanceof ConfigError && /AGENTS_API_KEY/.test(err.message);
    });
    assert.throws(
      () => resolveAuth({ host: "0.0.0.0", localMode: true, apiKey: undefined, ratePerMinute: 1 }),
      /not loopback/,
    );
    for (const host of ["127.0.0.1", "::1", "localhost"])
      assert.equal(
        resolveAuth({ host, localMode: true, apiKey: undefined, ratePerMinute: 1 }).required,
        false,
      );
    assert.equal(
      resolveAuth({ host: "0.0.0.0", localMode: true, apiKey: KEY, ratePerMinute: 1 }).required,
      true,
    );
  });
});
