// Limits learned from providers' rate-limit headers, as given / when / then tables: the latest answer
// lowers or raises the learned limit, a spent window holds calls until its reset, and what the user
// set wins over what was learned. The RateLimitInfo values are what rateLimitsFromHeaders makes of
// OpenAI's x-ratelimit-* and Anthropic's anthropic-ratelimit-* headers (see rate-limits.unit.spec.ts).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type CallRequest,
  decideCall,
  EMPTY_LIMIT_STATE,
  effectiveLimit,
  type LimitState,
  learnLimits,
  limitView,
  type ModelLimit,
} from "../../../src/core/limits/index.ts";
import type { RateLimitInfo } from "../../../src/core/providers/rate-limits.ts";

const NOW = 1_000_000;
const WINDOW = 60_000;

/** An OpenAI answer's limits seen `at`: requests and tokens per window, what is left, reset in 1 s. */
const openai = (
  at: number,
  rpm: number,
  tpm: number,
  left: { requests?: number; tokens?: number } = {},
): RateLimitInfo => ({
  source: "openai",
  observed_at: at,
  requests: { limit: rpm, remaining: left.requests ?? rpm - 1, resets_at: at + 1000 },
  tokens: { limit: tpm, remaining: left.tokens ?? tpm - 100, resets_at: at + 2000 },
});

const ask = (over: Partial<CallRequest> = {}): CallRequest => ({
  id: "me",
  prompt: 10,
  outputCap: 10,
  now: NOW,
  windowMs: WINDOW,
  leaseMs: 120_000,
  rank: 1,
  waiterTtlMs: 11_000,
  ...over,
});

describe("learnLimits", () => {
  const table: Array<{ name: string; answers: RateLimitInfo[]; rpm?: number; tpm?: number }> = [
    { name: "one answer sets both", answers: [openai(NOW, 60, 20_000)], rpm: 60, tpm: 20_000 },
    {
      name: "a later answer saying lower lowers them",
      answers: [openai(NOW, 60, 20_000), openai(NOW + 10, 30, 8_000)],
      rpm: 30,
      tpm: 8_000,
    },
    {
      name: "a later answer saying higher raises them again",
      answers: [openai(NOW, 60, 20_000), openai(NOW + 10, 30, 8_000), openai(NOW + 20, 90, 40_000)],
      rpm: 90,
      tpm: 40_000,
    },
    {
      name: "an answer older than what was learned is ignored (answers of several workers cross)",
      answers: [openai(NOW + 20, 90, 40_000), openai(NOW + 10, 30, 8_000)],
      rpm: 90,
      tpm: 40_000,
    },
    {
      name: "Anthropic's input tokens stand in when no combined tokens are given",
      answers: [
        {
          source: "anthropic",
          observed_at: NOW,
          requests: { limit: 50 },
          input_tokens: { limit: 30_000, remaining: 29_000 },
        },
      ],
      rpm: 50,
      tpm: 30_000,
    },
  ];
  for (const t of table) {
    it(`given ${t.name}, then the learned limit is ${t.rpm} rpm / ${t.tpm} tpm`, () => {
      const s = t.answers.reduce<LimitState>((state, info) => learnLimits(state, info), EMPTY_LIMIT_STATE);
      assert.equal(s.learned?.rpm, t.rpm);
      assert.equal(s.learned?.tpm, t.tpm);
      assert.equal(s.held_until, 0, "nothing was spent: no hold");
    });
  }

  it("given an answer saying what was learned already, then the state is the same object (no write)", () => {
    const s = learnLimits(EMPTY_LIMIT_STATE, openai(NOW, 60, 20_000));
    assert.equal(learnLimits(s, openai(NOW + 5, 60, 20_000)), s);
  });

  it("given an answer without request or token windows (the Claude CLI's), then nothing is learned", () => {
    const info: RateLimitInfo = { source: "claude_cli", observed_at: NOW, status: "allowed" };
    assert.equal(learnLimits(EMPTY_LIMIT_STATE, info), EMPTY_LIMIT_STATE);
  });

  const spent: Array<{ name: string; info: RateLimitInfo; until: number }> = [
    { name: "requests", info: openai(NOW, 60, 20_000, { requests: 0 }), until: NOW + 1000 },
    { name: "tokens", info: openai(NOW, 60, 20_000, { tokens: 0 }), until: NOW + 2000 },
    { name: "both", info: openai(NOW, 60, 20_000, { requests: 0, tokens: 0 }), until: NOW + 2000 },
  ];
  for (const t of spent) {
    it(`given remaining ${t.name} 0, then calls are held until the window resets, on every worker`, () => {
      const s = learnLimits(EMPTY_LIMIT_STATE, t.info);
      assert.equal(s.held_until, t.until);
      const d = decideCall(s, effectiveLimit(undefined, s) ?? {}, ask());
      assert.equal(d.kind, "wait");
      assert.equal(d.kind === "wait" && d.why, "held");
      assert.equal(d.kind === "wait" && d.until, t.until);
      const later = decideCall(s, effectiveLimit(undefined, s) ?? {}, ask({ now: t.until + 1 }));
      assert.equal(later.kind, "granted", "after the reset calls start again");
    });
  }

  it("given the first limit learned from a call made unaccounted, then what the provider's window used counts in ours", () => {
    // 16 calls ran before any limit was known: the provider says 44 of 60 requests and 11,000 of
    // 20,000 tokens are left.
    const s = learnLimits(EMPTY_LIMIT_STATE, openai(NOW, 60, 20_000, { requests: 44, tokens: 11_000 }), true);
    assert.equal(s.calls.length, 16, "one done call per request used");
    assert.equal(
      s.calls.reduce((n, c) => n + c[2], 0),
      9_000,
      "the tokens used",
    );
    const limit = effectiveLimit(undefined, s) ?? {};
    assert.equal(decideCall(s, limit, ask({ prompt: 9_000, outputCap: 0, windowMs: 5_000 })).kind, "granted");
    const over = decideCall(s, limit, ask({ prompt: 11_001, outputCap: 0, windowMs: 5_000 }));
    assert.equal(over.kind === "wait" && over.why, "tokens", "a call past what is left waits");
    assert.equal(over.kind === "wait" && over.until, NOW + 5_000, "until the used tokens leave the window");
  });

  it("given a limit learned already, or an answer of an accounted call, then nothing more is counted", () => {
    const first = learnLimits(EMPTY_LIMIT_STATE, openai(NOW, 60, 20_000, { tokens: 11_000 }), true);
    const again = learnLimits(first, openai(NOW + 5, 60, 20_000, { tokens: 5_000 }), true);
    assert.equal(
      again.calls.length,
      first.calls.length,
      "the first learn's count already covers those calls",
    );
    assert.deepEqual(learnLimits(EMPTY_LIMIT_STATE, openai(NOW, 60, 20_000, { tokens: 11_000 })).calls, []);
  });

  it("given a hold further away already (a 429's), then a spent window does not shorten it", () => {
    const s = learnLimits(
      { ...EMPTY_LIMIT_STATE, held_until: NOW + 30_000 },
      openai(NOW, 60, 20_000, { requests: 0 }),
    );
    assert.equal(s.held_until, NOW + 30_000);
  });
});

describe("effectiveLimit", () => {
  const learned = learnLimits(EMPTY_LIMIT_STATE, openai(NOW, 60, 20_000));
  const table: Array<{
    name: string;
    user: ModelLimit | undefined;
    state: LimitState | undefined;
    want: ModelLimit | undefined;
  }> = [
    { name: "no user limit and nothing learned", user: undefined, state: undefined, want: undefined },
    {
      name: "no user limit, learned limits",
      user: undefined,
      state: learned,
      want: { rpm: 60, tpm: 20_000 },
    },
    {
      name: "a user limit over learned ones",
      user: { rpm: 10, tpm: 5_000 },
      state: learned,
      want: { rpm: 10, tpm: 5_000 },
    },
    {
      name: "a user concurrency only: learned rpm and tpm fill in",
      user: { concurrency: 2 },
      state: learned,
      want: { concurrency: 2, rpm: 60, tpm: 20_000 },
    },
    {
      name: "a user rpm only: its rpm wins, learned tpm fills in",
      user: { rpm: 5 },
      state: learned,
      want: { rpm: 5, tpm: 20_000 },
    },
  ];
  for (const t of table) {
    it(`given ${t.name}, then the call is decided under ${JSON.stringify(t.want)}`, () => {
      assert.deepEqual(effectiveLimit(t.user, t.state), t.want);
    });
  }

  it("given learned 2 rpm and two calls in the window, then a third waits for requests; a user 3 rpm lets it start", () => {
    let s = learnLimits(EMPTY_LIMIT_STATE, openai(NOW, 2, 1_000_000));
    s = {
      ...s,
      calls: [
        ["a", NOW - 100, 20, 0],
        ["b", NOW - 50, 20, 0],
      ],
    };
    const learnedOnly = decideCall(s, effectiveLimit(undefined, s) ?? {}, ask());
    assert.equal(learnedOnly.kind === "wait" && learnedOnly.why, "requests");
    assert.equal(decideCall(s, effectiveLimit({ rpm: 3 }, s) ?? {}, ask()).kind, "granted");
  });

  it("given learned limits, then the view shows them", () => {
    assert.deepEqual(limitView("m", learned, NOW, WINDOW).learned, {
      rpm: 60,
      tpm: 20_000,
      observed_at: new Date(NOW).toISOString(),
    });
  });
});
