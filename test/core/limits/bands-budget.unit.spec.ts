// Waiting callers by band, and the UTC day's use against a day budget, as given / when / then.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  addToDay,
  bandRank,
  type CallRequest,
  decideCall,
  dropWaiter,
  type LimitState,
  limitView,
  nextUtcDay,
  settleCall,
} from "../../../src/core/limits/index.ts";

// 2026-12-01T12:00:00Z
const NOW = Date.UTC(2026, 11, 1, 12);
const WINDOW = 60_000;
const TTL = 11_000;
const ask = (id: string, band: "high" | "normal" | "low", now = NOW): CallRequest => ({
  id,
  prompt: 100,
  outputCap: 0,
  now,
  windowMs: WINDOW,
  leaseMs: 120_000,
  rank: bandRank(band),
  waiterTtlMs: TTL,
});
const full: LimitState = { calls: [["busy", NOW - 1000, 100, NOW + 60_000]], held_until: 0 };

describe("waiting callers by band", () => {
  it("given a model at its calls-at-once limit, when a generator (normal) and a critic (high) wait, then the freed place goes to the critic", () => {
    let s = full;
    for (const [id, band] of [
      ["generator", "normal"],
      ["critic", "high"],
    ] as const) {
      const d = decideCall(s, { concurrency: 1 }, ask(id, band));
      assert.equal(d.kind, "wait");
      if (d.kind === "wait" && d.state) s = d.state;
    }
    assert.deepEqual(
      s.waiting?.map(([id, rank]) => [id, rank]),
      [
        ["generator", 1],
        ["critic", 0],
      ],
      "both are listed with their band's rank",
    );
    s = settleCall(s, "busy", { input_tokens: 50, output_tokens: 50 }, NOW);
    const generator = decideCall(s, { concurrency: 1 }, ask("generator", "normal"));
    assert.equal(generator.kind, "wait", "the generator came first but gives way");
    assert.equal(generator.kind === "wait" && generator.why, "priority");
    const critic = decideCall(s, { concurrency: 1 }, ask("critic", "high"));
    assert.equal(critic.kind, "granted");
    assert.deepEqual(
      critic.kind === "granted" && critic.state.waiting?.map(([id]) => id),
      ["generator"],
      "the critic is no longer listed",
    );
  });

  it("given two waiters of one band, then the one waiting longer goes first", () => {
    const s: LimitState = {
      calls: [],
      held_until: 0,
      waiting: [
        ["late", 1, NOW - 1000, NOW + TTL],
        ["early", 1, NOW - 5000, NOW + TTL],
      ],
    };
    assert.equal(decideCall(s, { concurrency: 1 }, ask("late", "normal")).kind, "wait");
    assert.equal(decideCall(s, { concurrency: 1 }, ask("early", "normal")).kind, "granted");
  });

  it("given a low-band caller waiting two windows, then it ranks above a fresh high-band one (no band waits for ever)", () => {
    const s: LimitState = {
      calls: [],
      held_until: 0,
      waiting: [
        ["old-low", 2, NOW - 2 * WINDOW - 1, NOW + TTL],
        ["new-high", 0, NOW, NOW + TTL],
      ],
    };
    assert.equal(decideCall(s, {}, ask("new-high", "high")).kind, "wait");
    assert.equal(decideCall(s, {}, ask("old-low", "low")).kind, "granted");
  });

  it("given a waiter whose listing lapsed (its worker died) or that left, then it holds nobody back", () => {
    const lapsed: LimitState = { calls: [], held_until: 0, waiting: [["gone", 0, NOW - 20_000, NOW - 1]] };
    assert.equal(decideCall(lapsed, {}, ask("x", "low")).kind, "granted");
    const left = dropWaiter({ ...lapsed, waiting: [["left", 0, NOW, NOW + TTL]] }, "left");
    assert.equal(decideCall(left, {}, ask("x", "low")).kind, "granted");
  });

  it("given a caller still listed for more than half its time, then waiting again writes nothing", () => {
    const s: LimitState = { ...full, waiting: [["me", 1, NOW - 1000, NOW + TTL - 1000]] };
    const d = decideCall(s, { concurrency: 1 }, ask("me", "normal"));
    assert.equal(d.kind === "wait" && d.state, undefined);
  });
});

describe("the day budget", () => {
  const budget = { usd: 1, tokens: 10_000 };
  it("given calls that cost 0.6 and then 0.5 US dollars, then the second spends the budget, marked once with what spent it", () => {
    let day = addToDay(undefined, NOW, { usd: 0.6, tokens: 1000 }, budget);
    assert.equal(day.spent_at, undefined);
    day = addToDay(day, NOW + 1, { usd: 0.5, tokens: 1000 }, budget);
    assert.equal(day.spent_at, NOW + 1);
    assert.equal(day.spent_by, "usd");
    assert.equal(addToDay(day, NOW + 2, { usd: 0.1, tokens: 1 }, budget).spent_at, NOW + 1, "set once");
  });

  it("given a spent budget, then no call starts until the next UTC day, and then one does", () => {
    const s: LimitState = {
      calls: [],
      held_until: 0,
      day: { date: "2026-12-01", usd: 1.2, tokens: 2000, spent_at: NOW - 1 },
    };
    const d = decideCall(s, { day: budget }, ask("x", "high"));
    assert.deepEqual(d.kind === "spent" && [d.by, d.until], ["usd", Date.UTC(2026, 11, 2)]);
    assert.equal(nextUtcDay(NOW), Date.UTC(2026, 11, 2));
    const tomorrow = decideCall(s, { day: budget }, ask("x", "high", Date.UTC(2026, 11, 2, 0, 0, 1)));
    assert.equal(tomorrow.kind, "granted");
    assert.deepEqual(
      tomorrow.kind === "granted" && tomorrow.state.day,
      { date: "2026-12-02", usd: 0, tokens: 0, budget_usd: 1, budget_tokens: 10_000 },
      "the new day counts from nothing",
    );
  });

  it("given a call in flight that may take the day past its budget, then no second call starts beside it; alone, one does", () => {
    const day = { date: "2026-12-01", usd: 0.1, tokens: 9_850 };
    const flying: LimitState = { calls: [["a", NOW - 10, 100, NOW + 60_000]], held_until: 0, day };
    const d = decideCall(flying, { day: budget }, ask("b", "high"));
    assert.equal(d.kind === "wait" && d.why, "budget", "at most one call in flight past the budget");
    const alone: LimitState = { calls: [["a", NOW - 10, 100, 0]], held_until: 0, day };
    assert.equal(decideCall(alone, { day: budget }, ask("b", "high")).kind, "granted");
  });

  it("given a settled call with its cost, then the day counts its real tokens and dollars", () => {
    const s = settleCall(
      { calls: [["a", NOW - 10, 500, NOW + 60_000]], held_until: 0 },
      "a",
      { input_tokens: 100, output_tokens: 20, cost_usd: 0.25 },
      NOW,
      { budget },
    );
    assert.deepEqual(s.day, {
      date: "2026-12-01",
      usd: 0.25,
      tokens: 120,
      budget_usd: 1,
      budget_tokens: 10_000,
    });
  });

  it("given a spent day in the state, then its view says spent, by what and until when", () => {
    const v = limitView(
      "gpt-4o",
      {
        calls: [["a", NOW - 10, 100, 0]],
        held_until: 0,
        day: {
          date: "2026-12-01",
          usd: 1.1,
          tokens: 2000,
          spent_at: NOW - 5,
          spent_by: "usd",
          budget_usd: 1,
        },
      },
      NOW,
      WINDOW,
    );
    assert.deepEqual(v.day, {
      date: "2026-12-01",
      usd: 1.1,
      tokens: 2000,
      budget_usd: 1,
      budget_tokens: null,
      spent: true,
      spent_at: new Date(NOW - 5).toISOString(),
      spent_by: "usd",
      until: "2026-12-02T00:00:00.000Z",
    });
    assert.equal(v.window_requests, 1);
    assert.equal(v.in_flight, 0);
  });
});
