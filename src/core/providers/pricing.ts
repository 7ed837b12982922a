// Model prices users set: US dollars per million tokens, a default table for current Anthropic and
// OpenAI models, and the cost of one run from its usage. A provider-reported cost wins over the
// table (the Claude CLI reports its own); a model without a price is unpriced, never $0: a
// submission with a budget that can reach one is refused (see unpricedModels).
import { z } from "zod";
import type { Usage } from "../events/catalogue/shared.ts";
import type { ModelRoutes, Route } from "./routes.ts";
import { routeFor } from "./routes.ts";

export const ModelPrice = z
  .object({
    input_per_mtok: z.number().nonnegative(),
    output_per_mtok: z.number().nonnegative(),
    /** Cached input read (OpenAI cached_tokens, Anthropic cache reads); default the input price. */
    cache_read_per_mtok: z.number().nonnegative().optional(),
    /** Cache writes (Anthropic cache_creation_input_tokens); default the input price. */
    cache_write_per_mtok: z.number().nonnegative().optional(),
  })
  .strict();
export type ModelPrice = z.infer<typeof ModelPrice>;
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** The AGENTS_PRICES file: prices merged over the defaults; `null` makes a default model unpriced. */
export const PriceFile = z
  .object({
    /** When you checked these prices (free text, e.g. "2026-01-15"). */
    as_of: z.string().max(100).optional(),
    models: z.record(z.string().min(1).max(200), ModelPrice.nullable()),
  })
  .strict();
export type PriceFile = z.infer<typeof PriceFile>;

/** When the default table was taken from the providers' pricing pages. */
export const DEFAULT_PRICES_AS_OF = "2025-11";

const anthropic = (input: number, output: number): ModelPrice => ({
  input_per_mtok: input,
  output_per_mtok: output,
  cache_read_per_mtok: input / 10,
  cache_write_per_mtok: input * 1.25,
});
const openai = (input: number, cached: number, output: number): ModelPrice => ({
  input_per_mtok: input,
  output_per_mtok: output,
  cache_read_per_mtok: cached,
});

/**
 * List prices (USD per million tokens) as published by Anthropic (anthropic.com/pricing) and OpenAI
 * (openai.com/api/pricing) in DEFAULT_PRICES_AS_OF. Providers change prices: check them, and set
 * your own in the AGENTS_PRICES file. Dated names (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`)
 * take their model's price.
 */
export const DEFAULT_PRICES: PriceTable = {
  "claude-opus-4-5": anthropic(5, 25),
  "claude-opus-4-1": anthropic(15, 75),
  "claude-opus-4": anthropic(15, 75),
  "claude-sonnet-4-5": anthropic(3, 15),
  "claude-sonnet-4": anthropic(3, 15),
  "claude-3-7-sonnet": anthropic(3, 15),
  "claude-haiku-4-5": anthropic(1, 5),
  "claude-3-5-haiku": anthropic(0.8, 4),
  "claude-3-haiku": anthropic(0.25, 1.25),
  "gpt-5": openai(1.25, 0.125, 10),
  "gpt-5-mini": openai(0.25, 0.025, 2),
  "gpt-5-nano": openai(0.05, 0.005, 0.4),
  "gpt-4.1": openai(2, 0.5, 8),
  "gpt-4.1-mini": openai(0.4, 0.1, 1.6),
  "gpt-4.1-nano": openai(0.1, 0.025, 0.4),
  "gpt-4o": openai(2.5, 1.25, 10),
  "gpt-4o-mini": openai(0.15, 0.075, 0.6),
  o3: openai(2, 0.5, 8),
  "o3-mini": openai(1.1, 0.55, 4.4),
  "o4-mini": openai(1.1, 0.275, 4.4),
  o1: openai(15, 7.5, 60),
};

/** The defaults with a price file's entries over them (`null` removes a model). */
export function mergePrices(file: PriceFile | undefined, base: PriceTable = DEFAULT_PRICES): PriceTable {
  const table: Record<string, ModelPrice> = { ...base };
  for (const [model, price] of Object.entries(file?.models ?? {})) {
    if (price === null) delete table[model];
    else table[model] = price;
  }
  return table;
}

// What may follow a model's name and still be that model: a date or a `-latest` tag, nothing else
// (so `o1-pro` never takes `o1`'s price).
const VERSION_SUFFIX = /^(?:-\d{4}-\d{2}-\d{2}|-\d{8}|-latest|@\d{8})$/;

/** A model's price: exact name, then without a `provider/` prefix, then its undated name; else undefined. */
export function priceFor(model: string, table: PriceTable = DEFAULT_PRICES): ModelPrice | undefined {
  const bare = model.slice(model.lastIndexOf("/") + 1);
  const exact = table[model] ?? table[bare];
  if (exact) return exact;
  const base = Object.keys(table)
    .filter((name) => bare.startsWith(name) && VERSION_SUFFIX.test(bare.slice(name.length)))
    .sort((a, b) => b.length - a.length)[0];
  return base === undefined ? undefined : table[base];
}

/** The cost in USD of a run's usage on a model, or undefined when the model has no price. */
export function costFor(model: string, usage: Usage, table: PriceTable = DEFAULT_PRICES): number | undefined {
  const p = priceFor(model, table);
  if (!p) return undefined;
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  return (
    (usage.input_tokens * p.input_per_mtok +
      usage.output_tokens * p.output_per_mtok +
      cacheRead * (p.cache_read_per_mtok ?? p.input_per_mtok) +
      cacheWrite * (p.cache_write_per_mtok ?? p.input_per_mtok)) /
    1_000_000
  );
}

/** Routes whose executor reports each run's cost itself (the Claude CLI's total_cost_usd). */
const SELF_PRICED: ReadonlySet<Route> = new Set(["claude"]);

/** Whether a run on `model` has a known cost: its executor reports it, or the table has a price. */
export function isPriced(model: string, routes: ModelRoutes, table: PriceTable): boolean {
  return SELF_PRICED.has(routeFor(model, routes)) || priceFor(model, table) !== undefined;
}

/** The models of a chain whose cost would be unknown (in chain order, without repeats). */
export function unpricedModels(chain: readonly string[], routes: ModelRoutes, table: PriceTable): string[] {
  return [...new Set(chain)].filter((m) => !isPriced(m, routes, table));
}
