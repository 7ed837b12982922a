// A job submission: the body of POST /v1/agents/submit and of a message on `agents.submit`.
import { z } from "zod";
import { ModelName } from "./shared.ts";

/** `{type, params}` as llm_call's validators take it; names are checked against the registry. */
export const ValidationSpecInput = z.object({
  type: z.string().min(1).max(64),
  params: z.record(z.string(), z.unknown()).optional(),
});

export const MAX_SPEC_CHARS = 200_000;
/** The largest fixed count; larger runs are `infinite` with `max_iterations`. */
export const MAX_COUNT = 10_000;
const COUNT_RULE = `an integer 1–${MAX_COUNT} or "infinite"`;

export const Submission = z
  .object({
    spec: z.string().trim().min(1, "must not be empty").max(MAX_SPEC_CHARS),
    count: z.union(
      [
        z
          .number({ error: COUNT_RULE })
          .int({ error: COUNT_RULE })
          .min(1, { error: COUNT_RULE })
          .max(MAX_COUNT, { error: COUNT_RULE }),
        z.literal("infinite"),
      ],
      { error: COUNT_RULE },
    ),
    model: ModelName.optional(),
    fallback_models: z.array(ModelName).max(10).optional(),
    queue: z.enum(["standard", "heavy"]).optional(),
    priority: z.number().int().min(-500).max(500).optional(),
    validation: z.array(ValidationSpecInput).max(32).optional(),
    budget_usd: z.number().positive().max(1_000_000).optional(),
    max_iterations: z.number().int().min(1).max(100_000).optional(),
    timeout_ms: z
      .number()
      .int()
      .min(1000)
      .max(24 * 3_600_000)
      .optional(),
    max_attempts: z.number().int().min(1).max(20).optional(),
    metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    idempotency_key: z.string().min(1).max(200).optional(),
  })
  .strict();
export type Submission = z.infer<typeof Submission>;
