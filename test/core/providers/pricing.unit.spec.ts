import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  costFor,
  DEFAULT_PRICES,
  DEFAULT_PRICES_AS_OF,
  isPriced,
  mergePrices,
  priceFor,
  unpricedModels,
} from "../../../src/core/providers/pricing.ts";

const usage = { input_tokens: 1_000_000, output_tokens: 500_000 };

describe("model prices", () => {
  it("given the default table, then it is dated and has current Anthropic and OpenAI models", () => {
    assert.match(DEFAULT_PRICES_AS_OF, /^\d{4}-\d{2}/);
    for (const m of [
      "claude-sonnet-4-5",
      "claude-opus-4-5",
      "claude-haiku-4-5",
      "gpt-5",
      "gpt-4.1",
      "gpt-4o",
      "o4-mini",
    ])
      assert.ok(DEFAULT_PRICES[m], m);
  });

  it("given a known model, then its cost follows the table", () => {
    assert.equal(costFor("gpt-4o-mini", usage), 0.45);
  });

  it("given cached input, then it is priced at the cache rate (default: the input rate)", () => {
    const u = {
      input_tokens: 0,
      output_tokens: 0,
      cache_read_input_tokens: 1_000_000,
      cache_creation_input_tokens: 1_000_000,
    };
    assert.equal(costFor("claude-sonnet-4-5", u), 4.05);
    assert.equal(costFor("m", u, { m: { input_per_mtok: 2, output_per_mtok: 4 } }), 4);
  });

  it("given an unknown model, then its cost is undefined, not 0", () => {
    assert.equal(costFor("mystery-model", usage), undefined);
  });

  it("given dated names and provider prefixes, then they take their model's price; a longer name does not", () => {
    assert.equal(priceFor("gpt-4o-mini-2024-07-18"), DEFAULT_PRICES["gpt-4o-mini"]);
    assert.equal(priceFor("claude-sonnet-4-5-20250929"), DEFAULT_PRICES["claude-sonnet-4-5"]);
    assert.equal(priceFor("openai/gpt-4o"), DEFAULT_PRICES["gpt-4o"]);
    assert.equal(priceFor("o1-pro"), undefined, "o1-pro is not o1");
    assert.equal(priceFor("gpt-4o-audio-preview"), undefined);
  });

  it("given a price file, then its entries override the defaults and null unprices one", () => {
    const t = mergePrices({ models: { local: { input_per_mtok: 0, output_per_mtok: 0 }, "gpt-4o": null } });
    assert.equal(costFor("local", usage, t), 0, "explicitly free");
    assert.equal(priceFor("gpt-4o", t), undefined);
    assert.ok(priceFor("gpt-4.1", t));
  });

  it("given a chain, then the claude route (its CLI reports cost) is priced and unknown openai models are not", () => {
    assert.equal(isPriced("sonnet", [], DEFAULT_PRICES), true);
    assert.equal(isPriced("llama3", [], DEFAULT_PRICES), false);
    assert.deepEqual(unpricedModels(["opus", "llama3", "gpt-4o", "llama3", "qwen"], [], DEFAULT_PRICES), [
      "llama3",
      "qwen",
    ]);
  });
});
