// GET /v1/agents/limits: every model's fleet-wide limit state as the workers share it in the
// agents-limits bucket: calls in flight and in the window, a hold after a 429, callers waiting, and
// the UTC day's use against its day budget (spent: no new call of the model until the next day).
import type { FastifyPluginAsync } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { limitView } from "../../core/limits/index.ts";
import { readAllLimits } from "../../nats/limits-store.ts";
import type { GatewayContext } from "../context.ts";
import { ErrorBody } from "../errors.ts";

const when = z.string().describe("ISO time");

export const ModelLimitView = z.object({
  model: z.string(),
  in_flight: z.number().describe("calls of the model running now, fleet-wide"),
  window_requests: z.number().describe("calls started in the last window (AGENTS_MODEL_LIMITS_WINDOW_MS)"),
  window_tokens: z.number().describe("their tokens: estimates, corrected with the real usage when they end"),
  held_until: when.nullable().describe("no call starts before this (the provider answered 429)"),
  waiting: z.number().describe("callers waiting for a place"),
  learned: z
    .object({ rpm: z.number().nullable(), tpm: z.number().nullable(), observed_at: when })
    .nullable()
    .describe("requests and tokens per window the provider last advertised (used where no limit is set)"),
  day: z
    .object({
      date: z.string().describe("the UTC day (YYYY-MM-DD)"),
      usd: z.number(),
      tokens: z.number(),
      budget_usd: z.number().nullable(),
      budget_tokens: z.number().nullable(),
      spent: z.boolean().describe("the day budget is spent: no new call of the model before `until`"),
      spent_at: when.nullable(),
      spent_by: z.enum(["usd", "tokens"]).nullable(),
      until: when.nullable(),
    })
    .nullable()
    .describe("the UTC day's use, for models with a day budget (AGENTS_MODEL_DAY_BUDGETS)"),
});

export const LimitsView = z.object({ models: z.array(ModelLimitView), at: when });

export const limitsRoutes: FastifyPluginAsync<{ ctx: GatewayContext }> = async (app, { ctx }) => {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/v1/agents/limits",
    {
      schema: {
        tags: ["queues"],
        summary:
          "Every limited model's shared state: calls in flight and in the window, 429 holds, waiting callers, the day's use and whether its day budget is spent",
        response: { 200: LimitsView, 401: ErrorBody },
      },
    },
    async () => {
      const now = Date.now();
      const windowMs = ctx.deps.config.AGENTS_MODEL_LIMITS_WINDOW_MS;
      const models = (await readAllLimits(ctx.deps.nc)).map(({ model, state }) =>
        limitView(model, state, now, windowMs),
      );
      return { models, at: new Date(now).toISOString() };
    },
  );
};
