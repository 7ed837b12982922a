// AGENTS_MODEL_DAY_BUDGETS' text: each model's US dollars and tokens per UTC day.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseBudgetsSpec } from "../../../src/core/limits/index.ts";

describe("reading the models' day budgets a user sets", () => {
  const good: Array<[string, Record<string, object>]> = [
    ["", {}],
    ["gpt-4o=25usd/3000000tokens", { "gpt-4o": { usd: 25, tokens: 3_000_000 } }],
    [" sonnet=0.5usd , haiku=1000tokens ", { sonnet: { usd: 0.5 }, haiku: { tokens: 1000 } }],
  ];
  for (const [text, budgets] of good)
    it(`given "${text}", then each model gets the budget it names`, () => {
      const parsed = parseBudgetsSpec(text);
      assert.ok(parsed.ok);
      assert.deepEqual(Object.fromEntries(parsed.budgets), budgets);
    });

  const bad: Array<[string, RegExp]> = [
    ["gpt-4o", /is not model=budget/],
    ["gpt-4o=5eur", /has "5eur"/],
    ["gpt-4o=0usd", /n > 0/],
    ["gpt-4o=1.5tokens", /an integer/],
    ["gpt-4o=5usd/6usd", /gives usd twice/],
    ["gpt-4o=5usd,gpt-4o=6usd", /sets gpt-4o a second time/],
  ];
  for (const [text, why] of bad)
    it(`given "${text}", then it is refused, quoting the entry and saying why`, () => {
      const parsed = parseBudgetsSpec(text);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.match(parsed.error, why);
    });
});
