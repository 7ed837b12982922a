import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AuthProbe } from "../../../src/core/ports/executor.ts";
import {
  afterAnswer,
  afterAuthFailure,
  afterProbe,
  hold,
  initialHealth,
  isAvailable,
} from "../../../src/core/worker/executor-health.ts";

const NOW = Date.parse("2025-01-01T00:00:00Z");
const local = (ok: boolean | undefined, fingerprint = "f1"): AuthProbe => ({
  ok,
  detail: ok ? "logged in (oauth_token)" : "not logged in",
  authoritative: false,
  fingerprint,
});

describe("an executor's health", () => {
  it("given nothing checked yet, then it takes work", () => {
    assert.equal(isAvailable(initialHealth(NOW), NOW), true);
  });

  it("given a probe that finds no login, then it takes no work, with the probe's words", () => {
    const h = afterProbe(initialHealth(NOW), local(false), NOW);
    assert.equal(h.auth.state, "failed");
    assert.equal(h.auth.detail, "not logged in");
    assert.equal(isAvailable(h, NOW), false);
  });

  it("given a run refused for its credentials, when a local check of the same credentials passes, then it stays failed", () => {
    let h = afterProbe(initialHealth(NOW), local(true, "f1"), NOW);
    h = afterAuthFailure(h, "claude could not authenticate: OAuth token has expired", NOW);
    assert.equal(h.auth.state, "failed");
    h = afterProbe(h, local(true, "f1"), NOW + 60_000);
    assert.equal(h.auth.state, "failed", "the same credentials were just refused");
    assert.match(h.auth.detail, /OAuth token has expired/);
  });

  it("given a refused run, when the credentials change (new fingerprint) and pass, then it takes work again", () => {
    let h = afterAuthFailure(afterProbe(initialHealth(NOW), local(true, "f1"), NOW), "refused", NOW);
    h = afterProbe(h, local(true, "f2"), NOW + 60_000);
    assert.equal(h.auth.state, "ok");
    assert.equal(isAvailable(h, NOW + 60_000), true);
  });

  it("given a refused run, when an authoritative check (an API call) passes, then it takes work again", () => {
    let h = afterAuthFailure(initialHealth(NOW), "HTTP 401", NOW);
    h = afterProbe(h, { ok: true, detail: "GET /models answered 200", authoritative: true }, NOW + 1);
    assert.equal(h.auth.state, "ok");
  });

  it("given a probe that cannot tell, then a failure stays and an unknown state stays unknown", () => {
    const failed = afterAuthFailure(initialHealth(NOW), "refused", NOW);
    assert.equal(afterProbe(failed, local(undefined), NOW).auth.state, "failed");
    assert.equal(afterProbe(initialHealth(NOW), local(undefined), NOW).auth.state, "unknown");
  });

  it("given an answered run, then the credentials are known to work", () => {
    assert.equal(afterAnswer(initialHealth(NOW), NOW).auth.state, "ok");
  });

  it("given a usage-limit hold, then no work until it ends; a shorter hold does not shorten it", () => {
    let h = hold(initialHealth(NOW), NOW + 3_600_000, "usage limit of claude reached");
    h = hold(h, NOW + 60_000, "shorter");
    assert.equal(h.hold_reason, "usage limit of claude reached");
    assert.equal(isAvailable(h, NOW + 60_000), false);
    assert.equal(isAvailable(h, NOW + 3_600_001), true);
  });
});
