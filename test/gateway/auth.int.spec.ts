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
    // No orchestrator runs in this harness: health says so (with the key, also why).
    const health = (
      await h.app.inject({ url: "/health", headers: { authorization: `Bearer ${KEY}` } })
    ).json();
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

  it("given /health without the key outside local mode, then it names no host, pid or path: only the status", async () => {
    const res = await h.app.inject({ url: "/health" });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: "degraded" });
    const wrong = await h.app.inject({ url: "/health", headers: { authorization: "Bearer not-the-key" } });
    assert.deepEqual(wrong.json(), { status: "degraded" }, "a wrong key is no key");
    const full = await h.app.inject({ url: "/health", headers: { authorization: `Bearer ${KEY}` } });
    const body = full.json();
    assert.ok(body.nats && body.agent_auth && body.store, "the key shows what operators need");
    const local = await h.appWith({ AGENTS_LOCAL_MODE: "true", AGENTS_API_KEY: "" });
    const details = (await local.inject({ url: "/health" })).json();
    assert.match(String(details.nats?.server), /127\.0\.0\.1/, "local mode shows everything without a key");
    assert.ok(details.agent_auth.credentials_file.path);
  });

  it("given a burst of wrong keys from one address, then 429 after AGENTS_AUTH_FAILURES_PER_MINUTE, even for the right key; other addresses are not held", async () => {
    const app = await h.appWith({ AGENTS_AUTH_FAILURES_PER_MINUTE: "5" });
    const from = (remoteAddress: string, key: string) =>
      app.inject({ url: "/v1/agents/queues", remoteAddress, headers: { authorization: `Bearer ${key}` } });
    const codes = [];
    for (let i = 0; i < 8; i++) codes.push((await from("10.0.0.7", `guess-${i}`)).statusCode);
    assert.deepEqual(codes, [401, 401, 401, 401, 401, 429, 429, 429]);
    const held = await from("10.0.0.7", KEY);
    assert.equal(held.statusCode, 429, "an address over its limit learns nothing about its next key");
    assert.equal(held.json().error.code, "RATE_LIMITED");
    assert.match(held.json().error.message, /failed authentications per minute from this address/);
    assert.ok(Number(held.headers["retry-after"]) > 0);
    assert.equal((await from("10.0.0.8", KEY)).statusCode, 200, "another address with the key");
    const missing = [];
    for (let i = 0; i < 6; i++)
      missing.push((await app.inject({ url: "/v1/agents/queues", remoteAddress: "10.0.0.9" })).statusCode);
    assert.deepEqual(missing, [401, 401, 401, 401, 401, 429], "a missing key counts as a failure");
  });

  it("given local mode, when requests carry random bearer tokens, then they share their address's bucket", async () => {
    const app = await h.appWith({
      AGENTS_LOCAL_MODE: "true",
      AGENTS_API_KEY: "",
      AGENTS_RATE_LIMIT_PER_MINUTE: "3",
    });
    const codes = [];
    for (let i = 0; i < 4; i++)
      codes.push(
        (await app.inject({ url: "/v1/agents/queues", headers: { authorization: `Bearer random-${i}` } }))
          .statusCode,
      );
    assert.deepEqual(codes, [200, 200, 200, 429]);
    const other = await app.inject({ url: "/v1/agents/queues", remoteAddress: "127.0.0.2" });
    assert.equal(other.statusCode, 200, "another address has its own bucket");
  });

  it("given local mode on loopback, then no key is needed", async () => {
    const app = await h.appWith({ AGENTS_LOCAL_MODE: "true", AGENTS_API_KEY: "" });
    assert.equal((await app.inject({ url: "/v1/agents/queues" })).statusCode, 200);
  });

  it("given no key outside local mode, then the gateway refuses to start, naming AGENTS_API_KEY", async () => {
    await assert.rejects(h.appWith({ AGENTS_LOCAL_MODE: "false", AGENTS_API_KEY: "" }), (err: unknown) => {
      return err instanceof ConfigError && /AGENTS_API_KEY/.test(err.message);
    });
    assert.throws(() => resolveAuth({ host: "0.0.0.0", localMode: true, apiKey: undefined }), /not loopback/);
    for (const host of ["127.0.0.1", "::1", "localhost"])
      assert.equal(resolveAuth({ host, localMode: true, apiKey: undefined }).required, false);
    assert.equal(resolveAuth({ host: "0.0.0.0", localMode: true, apiKey: KEY }).required, true);
  });
});
