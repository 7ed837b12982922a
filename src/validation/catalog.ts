// What a submission may ask of the validators, checked before it is stored: known names, and params
// each validator would accept (the same schemas, and the same compile of a regex or a JSON Schema,
// that the validator runs on a task). The gateway, the submit responder and the orchestrator share it.
import type { ValidatorCatalog } from "../core/submission/index.ts";
import { containsParams, lengthParams } from "./basic.ts";
import { codeParams, pythonParams } from "./code.ts";
import { fieldPresentParams } from "./json.ts";
import { agentTaskParams, contradictionParams } from "./judges.ts";
import { NO_PARAMS, type ParamCheck } from "./params.ts";
import { regexParams } from "./regex.ts";
import { schemaParams } from "./schema.ts";
import { sqlParams } from "./sql.ts";
import { VALIDATOR_NAMES, type ValidatorName } from "./types.ts";

/** Every validator's params check by name; typing the keys as ValidatorName makes a missing one a compile error. */
export const PARAM_CHECKS: Readonly<Record<ValidatorName, ParamCheck>> = {
  response_not_empty: NO_PARAMS,
  not_empty: NO_PARAMS,
  json_string: NO_PARAMS,
  json: NO_PARAMS,
  length: lengthParams,
  regex: regexParams,
  contains: containsParams,
  code: codeParams,
  python: pythonParams,
  schema: schemaParams,
  field_present: fieldPresentParams,
  sql: sqlParams,
  sql_safe: sqlParams,
  openapi_spec: NO_PARAMS,
  ai_contradiction_check: contradictionParams,
  agent_task: agentTaskParams,
};

const NAMES: ReadonlySet<string> = new Set<string>(VALIDATOR_NAMES);

function isValidatorName(name: string): name is ValidatorName {
  return NAMES.has(name);
}

/** The validators of this build, as the submission rules see them. */
export const VALIDATOR_CATALOG: ValidatorCatalog = {
  names: NAMES,
  paramIssues: (type, params) => (isValidatorName(type) ? PARAM_CHECKS[type](params) : []),
};
