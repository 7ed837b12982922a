// Header and event shapes: OpenAI's x-ratelimit-* (resets as durations, per its rate-limit guide),
// Anthropic's anthropic-ratelimit-* (RFC 3339 resets, per its API docs), retry-after-ms / retry-after
// (as the openai SDK reads them) and the Claude CLI's rate_limit_event (SDKRateLimitInfo).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  limitScope,
  parseDuration,
  rateLimitsFromClaude,
  rateLimitsFromHeaders,
  retryAfterMs,
  waitFromLimits,
} from "../../../src/core/providers/rate-limits.ts";

const NOW = Date.parse("2025-01-01T00:00:00Z");
const lookup = (h: Record<string, string>) => (name: string) => h[name];

describe("rate-limit information", () => {
  for (const [text, ms] of [
    ["1s", 1000],
    ["6m0s", 360_000],
    ["20ms", 20],
    ["1h2m3.5s", 3_723_500],
    ["0.5", 500],
  ] as const) {
    it(`given the duration "${text}", then it is ${ms} ms`, () => assert.equal(parseDuration(text), ms));
  }
  it("given something that is no duration, then undefined", () => {
    assert.equal(parseDuration("soon"), undefined);
    assert.equal(parseDuration("5 s"), undefined);
  });

  it("given OpenAI's headers, then requests and tokens windows with their resets", () => {
    const info = rateLimitsFromHeaders(
      lookup({
        "x-ratelimit-limit-requests": "500",
        "x-ratelimit-remaining-requests": "499",
        "x-ratelimit-reset-requests": "120ms",
        "x-ratelimit-limit-tokens": "30000",
        "x-ratelimit-remaining-tokens": "0",
        "x-ratelimit-reset-tokens": "6m0s",
        "x-should-retry": "true",
      }),
      NOW,
    );
    assert.deepEqual(info, {
      source: "openai",
      observed_at: NOW,
      should_retry: true,
      requests: { limit: 500, remaining: 499, resets_at: NOW + 120 },
      tokens: { limit: 30000, remaining: 0, resets_at: NOW + 360_000 },
    });
    assert.equal(waitFromLimits(info, NOW), 360_000, "the exhausted window's reset");
  });

  it("given Anthropic's headers, then every window including input and output tokens", () => {
    const info = rateLimitsFromHeaders(
      lookup({
        "anthropic-ratelimit-requests-limit": "50",
        "anthropic-ratelimit-requests-remaining": "0",
        "anthropic-ratelimit-requests-reset": "2025-01-01T00:00:30Z",
        "anthropic-ratelimit-input-tokens-limit": "40000",
        "anthropic-ratelimit-input-tokens-remaining": "39000",
        "anthropic-ratelimit-output-tokens-limit": "8000",
        "retry-after": "30",
      }),
      NOW,
    );
    assert.equal(info?.source, "anthropic");
    assert.deepEqual(info?.requests, { limit: 50, remaining: 0, resets_at: NOW + 30_000 });
    assert.deepEqual(info?.input_tokens, { limit: 40000, remaining: 39000 });
    assert.deepEqual(info?.output_tokens, { limit: 8000 });
    assert.equal(info?.retry_after_ms, 30_000);
    assert.equal(waitFromLimits(info, NOW), 30_000, "retry-after first");
  });

  it("given only retry-after, then plain http information; given nothing, then undefined", () => {
    assert.deepEqual(rateLimitsFromHeaders(lookup({ "retry-after": "2" }), NOW), {
      source: "http",
      observed_at: NOW,
      retry_after_ms: 2000,
    });
    assert.equal(rateLimitsFromHeaders(lookup({}), NOW), undefined);
  });

  it("given retry-after-ms and retry-after, then retry-after-ms wins; an HTTP date counts from now", () => {
    assert.equal(retryAfterMs(lookup({ "retry-after-ms": "1500", "retry-after": "7" }), NOW), 1500);
    assert.equal(retryAfterMs(lookup({ "retry-after": "Wed, 01 Jan 2025 00:00:30 GMT" }), NOW), 30_000);
    assert.equal(retryAfterMs(lookup({ "retry-after": "never" }), NOW), undefined);
  });

  it("given the CLI's rate_limit_event, then its resetsAt (unix seconds) in ms and its window", () => {
    const info = rateLimitsFromClaude(
      { status: "rejected", resetsAt: NOW / 1000 + 3600, rateLimitType: "five_hour", utilization: 1 },
      NOW,
    );
    assert.deepEqual(info, {
      source: "claude_cli",
      observed_at: NOW,
      status: "rejected",
      window: "five_hour",
      utilization: 1,
      resets_at: NOW + 3_600_000,
    });
    assert.equal(waitFromLimits(info, NOW), 3_600_000);
    assert.equal(limitScope(info), "executor");
    assert.equal(limitScope({ ...info, window: "seven_day_opus" }), "model");
  });
});
