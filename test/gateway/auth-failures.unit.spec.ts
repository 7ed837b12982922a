import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AuthFailures } from "../../src/gateway/auth-failures.ts";

describe("failed authentications per address", () => {
  it("given failures up to the limit, then the address waits out the rest of its minute, then starts over", () => {
    let now = 1_000_000;
    const f = new AuthFailures(3, () => now);
    for (let i = 0; i < 3; i++) {
      assert.equal(f.retryAfterMs("a"), 0);
      f.record("a");
    }
    assert.equal(f.retryAfterMs("a"), 60_000);
    now += 45_000;
    assert.equal(f.retryAfterMs("a"), 15_000);
    assert.equal(f.retryAfterMs("b"), 0, "other addresses are not held");
    now += 15_000;
    assert.equal(f.retryAfterMs("a"), 0, "a new window");
    f.record("a");
    assert.equal(f.retryAfterMs("a"), 0);
  });

  it("given more addresses than it remembers, then it forgets the oldest windows, not the newest", () => {
    const now = 0;
    const f = new AuthFailures(1, () => now);
    for (let i = 0; i <= 10_000; i++) f.record(`10.0.${Math.floor(i / 256)}.${i % 256}`);
    assert.equal(f.retryAfterMs("10.0.0.0"), 0, "the oldest was forgotten");
    assert.ok(f.retryAfterMs("10.0.39.16") > 0, "the newest is held");
  });
});
