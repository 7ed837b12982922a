// Public API of response validation: llm_call's 16 validators, run per task (off the main thread,
// under a deadline) and fed back on retry.
export { contains, length, responseNotEmpty } from "./basic.ts";
export { PARAM_CHECKS, VALIDATOR_CATALOG } from "./catalog.ts";
export { code, python } from "./code.ts";
export { fieldPresent, jsonString } from "./json.ts";
export { agentTask, aiContradictionCheck, NO_JUDGE_ERROR } from "./judges.ts";
export { stopValidationThread, VALIDATION_DEADLINE_MS } from "./offload.ts";
export { openapiSpec } from "./openapi.ts";
export type { ParamCheck, ParamIssue } from "./params.ts";
export { regex } from "./regex.ts";
export { feedbackForPrompt, runValidation, runValidations, VALIDATORS } from "./registry.ts";
export { schema } from "./schema.ts";
export { FORBIDDEN_STATEMENTS, sql, sqlSafe } from "./sql.ts";
export {
  JUDGE_VALIDATORS,
  type Judge,
  type JudgeRequest,
  VALIDATOR_NAMES,
  type ValidationContext,
  type ValidationFailure,
  type ValidationOutcome,
  type ValidationResult,
  ValidationSpec,
  type Validator,
  type ValidatorName,
} from "./types.ts";
