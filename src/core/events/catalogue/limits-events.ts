// Events on `agents.limits`: the models' fleet-wide limits, as workers find them.
import { z } from "zod";

/**
 * A model's day budget (AGENTS_MODEL_DAY_BUDGETS) is spent: no new call of the model starts before
 * `until` (the next UTC day); work for other models goes on. Written once per model and day, by the
 * worker whose settled call spent it.
 */
export const ModelDayBudgetSpent = z.object({
  type: z.literal("model.day_budget_spent"),
  data: z.object({
    model: z.string().min(1),
    /** The UTC day (YYYY-MM-DD). */
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    /** Which part of the budget was reached. */
    by: z.enum(["usd", "tokens"]),
    /** What the day's settled calls cost and used by then. */
    usd: z.number().nonnegative(),
    tokens: z.number().int().nonnegative(),
    budget_usd: z.number().positive().optional(),
    budget_tokens: z.number().int().positive().optional(),
    /** When calls of the model may start again. */
    until: z.iso.datetime(),
    worker_id: z.string(),
  }),
});

export const LimitsEvents = [ModelDayBudgetSpent] as const;
