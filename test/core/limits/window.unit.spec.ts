// The shared accounting of a model's calls, as given / when / then tables: a sliding window of
// requests and tokens, calls in flight, holds after a 429, and the correction after a call.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  accountingWindow,
  type CallRequest,
  decideCall,
  EMPTY_LIMIT_STATE,
  estimateTokens,
  holdCalls,
  type LimitCall,
  type LimitState,
  type ModelLimit,
  promptTokens,
  prune,
  settleCall,
} from "../../../src/core/limits/index.ts";

const NOW = 1_000_000;
const WINDOW = 60_000;
const LEASE = 120_000;
/** How long a waiting caller stays listed. */
const TTL = 11_000;

/** A call granted `ago` ms before NOW with `tokens`, done (or in flight until `until`). */
const call = (id: string, ago: number, tokens: number, until = 0): LimitCall => [
  id,
  NOW - ago,
  tokens,
  until,
];
const state = (...calls: LimitCall[]): LimitState => ({ calls, held_until: 0 });
/** A call of `tokens` in all: a prompt of that size and no output (the estimate's own rules are tested below). */
const ask = (tokens = 100, now = NOW): CallRequest => ({
  id: "new",
  prompt: tokens,
  outputCap: 0,
  now,
  windowMs: WINDOW,
  leaseMs: LEASE,
  rank: 1,
  waiterTtlMs: TTL,
});

type Case = {
  name: string;
  limit: ModelLimit;
  given: LimitState;
  tokens?: number;
  expect: { kind: "granted" } | { kind: "wait"; why: string; until: number };
};

const cases: Case[] = [
  {
    name: "given no limits and no calls, then the call is granted",
    limit: {},
    given: EMPTY_LIMIT_STATE,
    expect: { kind: "granted" },
  },
  {
    name: "given 2 rpm and one call in the window, then a second is granted",
    limit: { rpm: 2 },
    given: state(call("a", 10_000, 100)),
    expect: { kind: "granted" },
  },
  {
    name: "given 2 rpm and two calls in the window, then the third waits until the older leaves it",
    limit: { rpm: 2 },
    given: state(call("a", 50_000, 100), call("b", 10_000, 100)),
    expect: { kind: "wait", why: "requests", until: NOW - 50_000 + WINDOW },
  },
  {
    name: "given 2 rpm and two calls of which one left the window, then the call is granted",
    limit: { rpm: 2 },
    given: state(call("a", 60_000, 100), call("b", 10_000, 100)),
    expect: { kind: "granted" },
  },
  {
    name: "given 1000 tpm with 900 used, when a call of 200 asks, then it waits until enough leave the window",
    limit: { tpm: 1000 },
    given: state(call("a", 40_000, 300), call("b", 20_000, 600)),
    tokens: 200,
    expect: { kind: "wait", why: "tokens", until: NOW - 40_000 + WINDOW },
  },
  {
    name: "given 1000 tpm with 800 used, when a call of 200 asks, then it fits exactly",
    limit: { tpm: 1000 },
    given: state(call("a", 40_000, 800)),
    tokens: 200,
    expect: { kind: "granted" },
  },
  {
    name: "given 1000 tpm and an empty window, when a call larger than the budget asks, then it runs alone",
    limit: { tpm: 1000 },
    given: EMPTY_LIMIT_STATE,
    tokens: 5000,
    expect: { kind: "granted" },
  },
  {
    name: "given 1000 tpm and a call in the window, when one larger than the budget asks, then it waits for an empty window",
    limit: { tpm: 1000 },
    given: state(call("a", 30_000, 10), call("b", 10_000, 10)),
    tokens: 5000,
    expect: { kind: "wait", why: "tokens", until: NOW - 10_000 + WINDOW },
  },
  {
    name: "given 2 at once and two calls in flight, then the third waits for the first lease to end",
    limit: { concurrency: 2 },
    given: state(call("a", 90_000, 100, NOW + 5000), call("b", 1000, 100, NOW + 9000)),
    expect: { kind: "wait", why: "concurrency", until: NOW + 5000 },
  },
  {
    name: "given 2 at once and a call whose lease lapsed (its worker died), then the call is granted",
    limit: { concurrency: 2 },
    given: state(call("a", 90_000, 100, NOW - 1), call("b", 1000, 100, NOW + 9000)),
    expect: { kind: "granted" },
  },
  {
    name: "given a hold after a 429, then even an unlimited model waits it out",
    limit: {},
    given: { calls: [], held_until: NOW + 3000 },
    expect: { kind: "wait", why: "held", until: NOW + 3000 },
  },
  {
    name: "given a hold that ended, then the call is granted",
    limit: { rpm: 5 },
    given: { calls: [], held_until: NOW },
    expect: { kind: "granted" },
  },
];

describe("deciding whether a call of a model may start", () => {
  for (const c of cases) {
    it(c.name, () => {
      const d = decideCall(c.given, c.limit, ask(c.tokens));
      if (c.expect.kind === "granted") {
        assert.equal(d.kind, "granted");
        if (d.kind !== "granted") return;
        const mine = d.state.calls.find(([id]) => id === "new");
        assert.deepEqual(mine, ["new", NOW, c.tokens ?? 100, NOW + LEASE], "the call is counted, in flight");
      } else {
        // A waiting caller is listed (by band) in the state it writes; the listing is tested below.
        const { state: _listed, ...wait } = d.kind === "wait" ? d : { ...d, state: undefined };
        assert.deepEqual(wait, c.expect);
      }
    });
  }

  it("given calls far out of the window and done, when pruned, then only the ones that count stay", () => {
    const s = prune(
      state(call("old", 70_000, 5), call("flying", 70_000, 5, NOW + 1), call("new", 5, 5)),
      NOW,
      WINDOW,
    );
    assert.deepEqual(
      s.calls.map(([id]) => id),
      ["flying", "new"],
    );
  });
});

describe("correcting a call with what it really used", () => {
  it("given a call estimated at 1100 tokens, when it used 300, then 300 count and it is no longer in flight", () => {
    const s = settleCall(
      state(call("a", 1000, 1100, NOW + LEASE)),
      "a",
      { input_tokens: 100, output_tokens: 200 },
      NOW,
    );
    assert.deepEqual(s.calls, [call("a", 1000, 300, 0)]);
    // The corrected figure frees the window at once: 700 of 1000 tokens are left.
    assert.equal(decideCall(s, { tpm: 1000 }, ask(700)).kind, "granted");
  });

  it("given a call sent 400 ms after its grant, when settled, then the window counts it from when it was sent", () => {
    // Granted WINDOW - 100 ms ago, sent WINDOW - 500 ms ago: the provider counts it until 500 ms from now.
    const s = settleCall(
      state(call("a", WINDOW - 100, 100, NOW + LEASE)),
      "a",
      { input_tokens: 50, output_tokens: 50 },
      NOW - WINDOW + 800,
      { sentAt: NOW - WINDOW + 500 },
    );
    assert.deepEqual(s.calls, [call("a", WINDOW - 500, 100, 0)]);
    const d = decideCall(s, { rpm: 1 }, ask(100, NOW + 200));
    assert.equal(d.kind, "wait", "still in the provider's window 200 ms on");
    assert.equal(d.kind === "wait" && d.until, NOW + 500);
    assert.equal(decideCall(s, { rpm: 1 }, ask(100, NOW + 501)).kind, "granted");
  });

  it("given a sent time before the grant or after the end (a clock step), then the call counts from its grant or its end", () => {
    const granted = NOW - 1000;
    const before = settleCall(state(["a", granted, 100, NOW + LEASE]), "a", undefined, NOW, {
      sentAt: granted - 50,
    });
    assert.equal(before.calls[0]?.[1], granted);
    const after = settleCall(state(["a", granted, 100, NOW + LEASE]), "a", undefined, NOW, {
      sentAt: NOW + 50,
    });
    assert.equal(after.calls[0]?.[1], NOW);
  });

  it("given a call whose usage is unknown (it failed), then its estimate stays counted", () => {
    const s = settleCall(state(call("a", 1000, 1100, NOW + LEASE)), "a", undefined, NOW);
    assert.deepEqual(s.calls, [call("a", 1000, 1100, 0)]);
    assert.equal(s.output_tokens, undefined, "nothing is learned from it");
  });

  it("given a hold, when a shorter one comes, then the longer hold stands", () => {
    assert.equal(holdCalls(holdCalls(EMPTY_LIMIT_STATE, NOW + 5000), NOW + 1000).held_until, NOW + 5000);
  });
});

describe("estimating a call's tokens before it is made", () => {
  const cases: Array<[string, LimitState, number, number | undefined, number]> = [
    [
      "given no call reported yet and no cap, then the prompt plus 1000",
      EMPTY_LIMIT_STATE,
      250,
      undefined,
      1250,
    ],
    [
      "given an output cap, then the prompt plus the cap",
      { ...EMPTY_LIMIT_STATE, output_tokens: 40 },
      250,
      500,
      750,
    ],
    [
      "given calls reported 40 output tokens lately, then the prompt plus 40",
      { ...EMPTY_LIMIT_STATE, output_tokens: 40 },
      250,
      undefined,
      290,
    ],
  ];
  for (const [name, s, prompt, cap, tokens] of cases)
    it(name, () => assert.equal(estimateTokens(s, prompt, cap), tokens));

  it("given a prompt of 4001 characters, then it counts 1001 tokens", () => {
    assert.equal(promptTokens(4001), 1001);
  });

  it("given calls that reported their output, then the estimate rises to the largest at once and falls back slowly", () => {
    let s = state(
      call("a", 3, 1250, NOW + LEASE),
      call("b", 2, 1250, NOW + LEASE),
      call("c", 1, 1250, NOW + LEASE),
    );
    s = settleCall(s, "a", { input_tokens: 250, output_tokens: 50 }, NOW);
    assert.equal(s.output_tokens, 50, "the first report is taken as it is");
    s = settleCall(s, "b", { input_tokens: 250, output_tokens: 500 }, NOW);
    assert.equal(
      s.output_tokens,
      500,
      "a larger one raises it at once (too low an estimate passes the limit)",
    );
    s = settleCall(s, "c", { input_tokens: 250, output_tokens: 100 }, NOW);
    assert.equal(s.output_tokens, 492, "a smaller one lowers it a fiftieth of the way");
    const d = decideCall(s, {}, { ...ask(), id: "d", prompt: 250, outputCap: undefined });
    assert.equal(
      d.kind === "granted" && d.state.calls.at(-1)?.[2],
      742,
      "the new call is counted at 250 + 492",
    );
  });
});

describe("output estimates by kind of call", () => {
  it("given generators that put out 500 tokens and critics 20, alternating, then each kind is estimated by its own outputs", () => {
    let s = state();
    for (let i = 0; i < 20; i++) {
      const kind = i % 2 === 0 ? "generator" : "critic";
      const d = decideCall(s, {}, { ...ask(), id: `c${i}`, prompt: 100, outputCap: undefined, kind });
      assert.equal(d.kind, "granted");
      if (d.kind !== "granted") return;
      s = settleCall(
        d.state,
        `c${i}`,
        { input_tokens: 100, output_tokens: kind === "generator" ? 500 : 20 },
        NOW,
        {
          kind,
        },
      );
    }
    // A model-wide estimate would have fallen toward the critics' 20 and under-counted a generator.
    assert.equal(estimateTokens(s, 100, undefined, "generator"), 600);
    assert.equal(estimateTokens(s, 100, undefined, "critic"), 120);
    assert.equal(
      estimateTokens(s, 100, undefined, "reviser"),
      100 + Math.ceil(s.output_tokens ?? 0),
      "a new kind: the model's",
    );
    assert.ok((s.output_tokens ?? 0) < 500, "the model-wide figure mixes both");
  });
});

describe("the window the accounting counts over", () => {
  it("given a provider's minute, then 500 ms more; given 5 s, then 100 ms more (2 %)", () => {
    assert.equal(accountingWindow(60_000), 60_500);
    assert.equal(accountingWindow(5_000), 5_100);
  });
});
