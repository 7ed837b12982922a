// AGENTS_MODEL_LIMITS' text: each model's requests, tokens and calls at once.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseLimitsSpec } from "../../../src/core/limits/index.ts";

describe("reading the models' limits a user sets", () => {
  const good: Array<[string, Record<string, object>]> = [
    ["", {}],
    ["gpt-4o=500rpm/30000tpm/8", { "gpt-4o": { rpm: 500, tpm: 30000, concurrency: 8 } }],
    [
      " sonnet=4 , gpt-4o=30000tpm/500rpm ",
      { sonnet: { concurrency: 4 }, "gpt-4o": { tpm: 30000, rpm: 500 } },
    ],
    ["openai/gpt-4.1-mini=60rpm", { "openai/gpt-4.1-mini": { rpm: 60 } }],
  ];
  for (const [text, limits] of good)
    it(`given "${text}", then each model gets the limits it names`, () => {
      const parsed = parseLimitsSpec(text);
      assert.ok(parsed.ok);
      assert.deepEqual(Object.fromEntries(parsed.limits), limits);
    });

  const bad: Array<[string, RegExp]> = [
    ["gpt-4o", /is not model=limits/],
    ["gpt-4o=", /each part is <n>rpm/],
    ["gpt-4o=500rps", /has "500rps"/],
    ["gpt-4o=0rpm", /n ≥ 1/],
    ["gpt-4o=5rpm/6rpm", /gives rpm twice/],
    ["gpt-4o=5,gpt-4o=6", /sets gpt-4o a second time/],
    ["=5rpm", /is not model=limits/],
  ];
  for (const [text, why] of bad)
    it(`given "${text}", then it is refused, quoting the entry and saying why`, () => {
      const parsed = parseLimitsSpec(text);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.match(parsed.error, why);
    });
});
