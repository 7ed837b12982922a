// What a user sets per model in AGENTS_MODEL_DAY_BUDGETS: what the whole fleet may spend on a model
// in one UTC day, in US dollars and in tokens (prompt plus output), e.g. "gpt-4o=25usd/3000000tokens".
import { z } from "zod";

/** One model's day budget; an unset part is not limited. */
export const DayBudget = z.object({
  /** US dollars per UTC day. */
  usd: z.number().positive().optional(),
  /** Tokens (prompt plus output) per UTC day. */
  tokens: z.number().int().positive().optional(),
});
export type DayBudget = z.infer<typeof DayBudget>;

export type ParsedBudgets = { ok: true; budgets: Map<string, DayBudget> } | { ok: false; error: string };

const PART = /^(\d+(?:\.\d+)?)(usd|tokens)$/;

/** Parse "gpt-4o=25usd/3000000tokens,sonnet=10usd": per model, `<n>usd` and/or `<n>tokens`, each at most once. */
export function parseBudgetsSpec(text: string): ParsedBudgets {
  const budgets = new Map<string, DayBudget>();
  for (const entry of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const bad = (why: string): ParsedBudgets => ({ ok: false, error: `"${entry}" ${why}` });
    const [model, parts, ...rest] = entry.split("=");
    if (!model || parts === undefined || rest.length > 0)
      return bad("is not model=budget (e.g. gpt-4o=25usd/3000000tokens)");
    if (budgets.has(model)) return bad(`sets ${model} a second time`);
    const budget: DayBudget = {};
    for (const part of parts.split("/").map((p) => p.trim())) {
      const m = PART.exec(part);
      const n = Number(m?.[1]);
      const field = m?.[2] === "usd" ? "usd" : "tokens";
      if (!m || !(n > 0) || (field === "tokens" && !Number.isSafeInteger(n)))
        return bad(`has "${part}": each part is <n>usd or <n>tokens (an integer), n > 0`);
      if (budget[field] !== undefined) return bad(`gives ${field} twice`);
      budget[field] = n;
    }
    budgets.set(model, budget);
  }
  return { ok: true, budgets };
}
