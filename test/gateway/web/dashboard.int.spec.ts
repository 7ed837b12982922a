// The dashboard as the gateway serves it (app.inject against a real nats-server): the page and its
// assets under a strict Content-Security-Policy, revalidation by ETag, the session route in local
// mode and outside it, and the guard against cross-site writes and rebinding hosts.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { SESSION_COOKIE } from "../../../src/gateway/web/session.ts";
import { type GatewayHarness, startGatewayHarness } from "../harness.ts";

const KEY = "dashboard-test-key-0123456789";

describe("the dashboard served by the gateway", () => {
  let h: GatewayHarness;
  let keyed: FastifyInstance;
  before(async () => {
    h = await startGatewayHarness();
    keyed = await h.appWith({ AGENTS_LOCAL_MODE: "false", AGENTS_API_KEY: KEY });
  });
  after(() => h.stop());

  it("given /, then the page, its script and style come with a CSP that allows no inline script", async () => {
    const page = await h.app.inject({ url: "/" });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers["content-type"]), /^text\/html/);
    const csp = String(page.headers["content-security-policy"]);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(page.headers["x-content-type-options"], "nosniff");
    assert.doesNotMatch(page.body, /<script>/, "no inline script in the page");
    assert.match(page.body, /<script type="module" src="\/assets\/app.js"><\/script>/);
    const js = await h.app.inject({ url: "/assets/app.js" });
    assert.equal(js.statusCode, 200);
    assert.match(String(js.headers["content-type"]), /^text\/javascript/);
    assert.ok(js.body.length > 10_000);
    const again = await h.app.inject({
      url: "/assets/app.js",
      headers: { "if-none-match": String(js.headers.etag) },
    });
    assert.equal(again.statusCode, 304);
    assert.equal((await h.app.inject({ url: "/assets/app.css" })).statusCode, 200);
    assert.equal((await h.app.inject({ url: "/assets/nope.js" })).statusCode, 404);
  });

  it("given local mode, then nothing needs a sign-in, and a rebinding Host is refused", async () => {
    const s = await h.app.inject({ url: "/auth/session" });
    assert.deepEqual(s.json(), { required: false, signed_in: true, expires_at: null });
    const rebound = await h.app.inject({ url: "/v1/agents/system", headers: { host: "evil.example:8002" } });
    assert.equal(rebound.statusCode, 403);
    assert.equal(rebound.json().error.code, "FORBIDDEN");
    const cross = await h.app.inject({
      method: "POST",
      url: "/v1/agents/control/stop",
      headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
      payload: { reason: "csrf" },
    });
    assert.equal(cross.statusCode, 403);
    const events = await h.events("agents.control.>");
    assert.equal(events.length, 0);
  });

  it("given a key, when signing in, then a wrong key is 401 and the right one sets an HttpOnly, SameSite=Strict cookie", async () => {
    assert.equal((await keyed.inject({ url: "/v1/agents/system" })).statusCode, 401);
    assert.deepEqual((await keyed.inject({ url: "/auth/session" })).json(), {
      required: true,
      signed_in: false,
      expires_at: null,
    });
    const wrong = await keyed.inject({
      method: "POST",
      url: "/auth/session",
      payload: { api_key: "not-the-key" },
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.headers["set-cookie"], undefined);
    const right = await keyed.inject({ method: "POST", url: "/auth/session", payload: { api_key: KEY } });
    assert.equal(right.statusCode, 200, right.body);
    const cookie = String(right.headers["set-cookie"]);
    assert.match(cookie, new RegExp(`^${SESSION_COOKIE}=`));
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\//);
    assert.ok(!cookie.includes(KEY), "the cookie is not the key");
    const value = cookie.split(";")[0] ?? "";
    const system = await keyed.inject({ url: "/v1/agents/system", headers: { cookie: value } });
    assert.equal(system.statusCode, 200);
    assert.equal(
      (await keyed.inject({ url: "/auth/session", headers: { cookie: value } })).json().signed_in,
      true,
    );
    const forged = await keyed.inject({
      url: "/v1/agents/system",
      headers: { cookie: `${SESSION_COOKIE}=1.x` },
    });
    assert.equal(forged.statusCode, 401);
    const out = await keyed.inject({ method: "DELETE", url: "/auth/session", headers: { cookie: value } });
    assert.match(String(out.headers["set-cookie"]), /Max-Age=0/);
  });

  it("given a sign-in form, when keys are guessed, then the attempts are limited per address", async () => {
    const codes: number[] = [];
    for (let i = 0; i < 12; i++)
      codes.push(
        (await keyed.inject({ method: "POST", url: "/auth/session", payload: { api_key: `guess-${i}` } }))
          .statusCode,
      );
    assert.ok(codes.includes(429), `codes: ${codes.join(",")}`);
  });
});
