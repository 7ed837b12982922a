// The validator table (names and aliases as llm_call spells them), running a task's validations,
// and the feedback appended to the prompt of the retried attempt.
import { errorMessage } from "../core/errors.ts";
import { contains, length, responseNotEmpty } from "./basic.ts";
import { code, python } from "./code.ts";
import { fieldPresent, jsonString } from "./json.ts";
import { agentTask, aiContradictionCheck } from "./judges.ts";
import { VALIDATION_DEADLINE_MS, validateOffThread } from "./offload.ts";
import { openapiSpec } from "./openapi.ts";
import { regex } from "./regex.ts";
import { schema } from "./schema.ts";
import { sql, sqlSafe } from "./sql.ts";
import {
  JUDGE_VALIDATORS,
  type ValidationContext,
  type ValidationFailure,
  type ValidationOutcome,
  type ValidationResult,
  type ValidationSpec,
  type Validator,
  type ValidatorName,
} from "./types.ts";

/** Every validator by name; typing the keys as ValidatorName makes a missing one a compile error. */
export const VALIDATORS: Readonly<Record<ValidatorName, Validator>> = {
  response_not_empty: responseNotEmpty,
  not_empty: responseNotEmpty,
  json_string: jsonString,
  json: jsonString,
  length,
  regex,
  contains,
  code,
  python,
  schema,
  field_present: fieldPresent,
  sql,
  sql_safe: sqlSafe,
  openapi_spec: openapiSpec,
  ai_contradiction_check: aiContradictionCheck,
  agent_task: agentTask,
};

/** Runs one spec; a validator that throws becomes a failure rather than crashing the caller. */
export async function runValidation(
  response: string,
  spec: ValidationSpec,
  ctx: ValidationContext,
): Promise<ValidationResult> {
  const validator: Validator | undefined = VALIDATORS[spec.type];
  if (validator === undefined) return { valid: false, error: `unknown validator type "${spec.type}"` };
  try {
    return await validator(response, spec.params ?? {}, ctx);
  } catch (err) {
    return { valid: false, error: `validator crashed: ${errorMessage(err)}` };
  }
}

/** Runs every spec (failures keep the specs' order) and collects the failures. */
export async function runValidations(
  response: string,
  specs: ValidationSpec[],
  ctx: ValidationContext = {},
): Promise<ValidationOutcome> {
  // The judges wait on an executor (I/O) and need the caller's judge; every other validator is
  // CPU work on untrusted input, so it runs in the validation thread under its deadline.
  const results = await Promise.all(
    specs.map((spec) =>
      JUDGE_VALIDATORS.has(spec.type)
        ? runValidation(response, spec, ctx)
        : validateOffThread(response, spec, ctx.deadlineMs ?? VALIDATION_DEADLINE_MS),
    ),
  );
  const failures: ValidationFailure[] = [];
  results.forEach((result, i) => {
    const spec = specs[i];
    if (result.valid || spec === undefined) return;
    failures.push({
      type: spec.type,
      error: result.error ?? "validation failed",
      suggestions: result.suggestions ?? [],
    });
  });
  return { valid: failures.length === 0, failures };
}

/** The text appended to a retried prompt (llm_call's wording); empty when nothing failed. */
export function feedbackForPrompt(failures: ValidationFailure[]): string {
  if (failures.length === 0) return "";
  const bullets = failures.map((f) => {
    const suggestions = f.suggestions.length > 0 ? `\n  Suggestions: ${f.suggestions.join("; ")}` : "";
    return `- ${f.type}: ${f.error}${suggestions}`;
  });
  return ["Your previous response failed validation:", ...bullets, "Please correct these issues."].join("\n");
}
