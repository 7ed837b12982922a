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

/** One judge run: the prompt, and the empty folder to run it in (removed after the run). */
export type JudgeRequest = { prompt: string; cwd: string };

/** Runs a prompt through an executor and resolves with the model's text (used by the LLM judges). */
export type Judge = (request: JudgeRequest) => Promise<string>;

/** The validators that ask an LLM judge; they run in-process, every other one in the validation thread. */
export const JUDGE_VALIDATORS: ReadonlySet<ValidatorName> = new Set(["ai_contradiction_check", "agent_task"]);

/**
 * What validators may use besides the response: a judge (only the LLM judges need one), and the
 * deadline in ms of each validator in the validation thread (default VALIDATION_DEADLINE_MS).
 */
export type ValidationContext = { judge?: Judge; deadlineMs?: number };

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
