// The validation contract shared with llm_call: a task carries `validation: [{type, params}]`, each
// validator answers `{valid, error, suggestions}`, and failures are fed back into the retried prompt.
import { z } from "zod";

/** Every validator name llm_call accepts, aliases included (`not_empty`, `json`). */
export const VALIDATOR_NAMES = [
  "response_not_empty",
  "not_empty",
  "json_string",
  "json",
  "length",
  "regex",
  "contains",
  "code",
  "python",
  "schema",
  "field_present",
  "sql",
  "sql_safe",
  "openapi_spec",
  "ai_contradiction_check",
  "agent_task",
] as const;
export type ValidatorName = (typeof VALIDATOR_NAMES)[number];

/** One entry of a task's `validation` list; `params` are checked by the validator itself. */
export const ValidationSpec = z.object({
  type: z.enum(VALIDATOR_NAMES),
  params: z.record(z.string(), z.unknown()).optional(),
});
export type ValidationSpec = z.infer<typeof ValidationSpec>;

/** What a validator answers; `error` and `suggestions` are set when `valid` is false. */
export type ValidationResult = { valid: boolean; error?: string; suggestions?: string[] };

/** Runs a prompt through an executor and resolves with the model's text (used by the LLM judges). */
export type Judge = (prompt: string) => Promise<string>;

/** What validators may use besides the response; a judge is only needed by the LLM judges. */
export type ValidationContext = { judge?: Judge };

/** Checks one response; never throws for a bad response or bad params, it answers `valid: false`. */
export type Validator = (
  response: string,
  params: Record<string, unknown>,
  ctx: ValidationContext,
) => ValidationResult | Promise<ValidationResult>;

/** One failed validation as recorded on a task and fed back to the next attempt. */
export type ValidationFailure = { type: string; error: string; suggestions: string[] };

/** The outcome of running every validation of a task. */
export type ValidationOutcome = { valid: boolean; failures: ValidationFailure[] };
