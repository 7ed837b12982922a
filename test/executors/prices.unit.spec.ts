import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { costFor, DEFAULT_PRICES, estimateUsage, priceFor } from "../../src/executors/prices.ts";

describe("prices", () => {
  const usage = { input_tokens: 1_000_000, output_tokens: 500_000 };

  it("costs a known model from its per-million prices", () => {
    assert.equal(costFor("gpt-4o-mini", usage), 0.45);
  });

  it("costs an unknown model 0", () => {
    assert.equal(costFor("mystery-model", usage), 0);
  });

  it("matches dated and provider-prefixed names to the longest known prefix", () => {
    assert.equal(priceFor("gpt-4o-mini-2024-07-18"), DEFAULT_PRICES["gpt-4o-mini"]);
    assert.equal(priceFor("openai/gpt-4o"), DEFAULT_PRICES["gpt-4o"]);
  });

  it("uses a caller's table", () => {
    assert.equal(costFor("local", usage, { local: { input_per_mtok: 1, output_per_mtok: 2 } }), 2);
  });

  it("estimates usage at 4 characters per token", () => {
    assert.deepEqual(estimateUsage("12345678", "123"), { input_tokens: 2, output_tokens: 1 });
  });
});
