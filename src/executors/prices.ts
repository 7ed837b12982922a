// Model prices in US dollars per million tokens, and the cost of one run from its usage.
// Providers change prices; callers pass their own table (merged over these defaults) to stay current.

import type { Usage } from "../core/ports/executor.ts";

export type ModelPrice = { input_per_mtok: number; output_per_mtok: number };
export type PriceTable = Record<string, ModelPrice>;

/** List prices (USD per million tokens) for a few well-known models; unknown models cost 0. */
export const DEFAULT_PRICES: PriceTable = {
  "gpt-4o": { input_per_mtok: 2.5, output_per_mtok: 10 },
  "gpt-4o-mini": { input_per_mtok: 0.15, output_per_mtok: 0.6 },
  "gpt-4.1": { input_per_mtok: 2, output_per_mtok: 8 },
  "gpt-4.1-mini": { input_per_mtok: 0.4, output_per_mtok: 1.6 },
  "claude-sonnet-4": { input_per_mtok: 3, output_per_mtok: 15 },
  "claude-opus-4": { input_per_mtok: 15, output_per_mtok: 75 },
  "claude-3-5-haiku": { input_per_mtok: 0.8, output_per_mtok: 4 },
};

/** Finds a model's price: exact name, then without a `provider/` prefix, then the longest known prefix
 * (so dated names like `gpt-4o-mini-2024-07-18` match `gpt-4o-mini`). */
export function priceFor(model: string, table: PriceTable = DEFAULT_PRICES): ModelPrice | undefined {
  const bare = model.slice(model.lastIndexOf("/") + 1);
  const exact = table[model] ?? table[bare];
  if (exact) return exact;
  const prefix = Object.keys(table)
    .filter((name) => bare.startsWith(name))
    .sort((a, b) => b.length - a.length)[0];
  return prefix === undefined ? undefined : table[prefix];
}

/** The cost in USD of a run's usage for a model; 0 when the model is not in the table. */
export function costFor(model: string, usage: Usage, table: PriceTable = DEFAULT_PRICES): number {
  const price = priceFor(model, table);
  if (!price) return 0;
  return (
    (usage.input_tokens * price.input_per_mtok + usage.output_tokens * price.output_per_mtok) / 1_000_000
  );
}

/** A rough token count (4 characters per token) for executors whose backend reports no usage. */
export function estimateUsage(prompt: string, output: string): Usage {
  return { input_tokens: Math.ceil(prompt.length / 4), output_tokens: Math.ceil(output.length / 4) };
}
