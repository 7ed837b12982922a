// schema: the response, parsed as JSON, satisfies a JSON Schema (ajv + ajv-formats). The schema's
// `$schema` picks the draft: 2020-12 and 2019-09 get their own Ajv class, anything else draft-07.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { Ajv2019 } from "ajv/dist/2019.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import { z } from "zod";
import { errorMessage } from "../core/errors.ts";
import { parseParams } from "./params.ts";
import { parseJsonResponse } from "./text.ts";
import type { Validator } from "./types.ts";

// ajv-formats is CommonJS; under NodeNext its default export is reached through `.default`.
const addFormats = ajvFormats.default;

const SchemaParams = z.strictObject({
  schema: z.union([z.record(z.string(), z.unknown()), z.boolean()], {
    error: "expected a JSON Schema object",
  }),
});

const MAX_CACHED = 64;
const MAX_LISTED_ERRORS = 10;
// Compiled validators by schema text: a task's retries and a job's iterations reuse one schema.
const cache = new Map<string, ValidateFunction>();

/** Compiles a schema (cached); a fresh Ajv per schema keeps two schemas with one `$id` apart. */
export function compileSchema(schema: Record<string, unknown> | boolean): ValidateFunction {
  const key = JSON.stringify(schema);
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const draft = typeof schema === "object" && typeof schema.$schema === "string" ? schema.$schema : "";
  const options = { allErrors: true, strict: false };
  const ajv = draft.includes("2020-12")
    ? new Ajv2020(options)
    : draft.includes("2019-09")
      ? new Ajv2019(options)
      : new Ajv(options);
  addFormats(ajv);
  const validate = ajv.compile(schema);
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value ?? "");
  cache.set(key, validate);
  return validate;
}

/** One ajv error as "<path>: <message>", naming the offending property or the allowed values. */
export function formatAjvError(error: ErrorObject): string {
  const where = error.instancePath === "" ? "(root)" : error.instancePath;
  const params = error.params as Record<string, unknown>;
  let detail = "";
  if (error.keyword === "additionalProperties") detail = ` (${JSON.stringify(params.additionalProperty)})`;
  if (error.keyword === "enum") detail = ` (${JSON.stringify(params.allowedValues)})`;
  return `${where}: ${error.message ?? error.keyword}${detail}`;
}

/** schema: the JSON response satisfies params.schema; every violation (up to 10) is listed. */
export const schema: Validator = (response, raw) => {
  const parsed = parseParams("schema", SchemaParams, raw);
  if (!parsed.ok) return parsed.result;
  let validate: ValidateFunction;
  try {
    validate = compileSchema(parsed.params.schema);
  } catch (err) {
    return {
      valid: false,
      error: `params.schema: invalid JSON Schema: ${errorMessage(err)}`,
      suggestions: ["Fix the schema validator's JSON Schema"],
    };
  }
  const json = parseJsonResponse(response);
  if (!json.ok) return { valid: false, error: json.error, suggestions: ["Ensure response is valid JSON"] };
  if (validate(json.value)) return { valid: true };
  const errors = validate.errors ?? [];
  const listed = errors.slice(0, MAX_LISTED_ERRORS).map(formatAjvError);
  if (errors.length > listed.length) listed.push(`and ${errors.length - listed.length} more`);
  return {
    valid: false,
    error: `Schema validation failed: ${listed.join("; ")}`,
    suggestions: ["Ensure response matches the required schema"],
  };
};
