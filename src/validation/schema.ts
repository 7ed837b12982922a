// schema: the JSON the response holds satisfies a JSON Schema (ajv + ajv-formats), as llm_call's
// SchemaValidator (jsonschema's Draft7Validator) decides. Deliberately stricter: `format` is
// checked (jsonschema skips it without a format checker), and a schema's `$schema` picks the draft
// (2020-12 and 2019-09 get their own Ajv class, anything else draft-07, llm_call's only draft).
// `pattern` keywords run on RE2 (./regex-engine.ts), so a schema cannot hang a worker either.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { Ajv2019 } from "ajv/dist/2019.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { RegExpEngine } from "ajv/dist/types/index.js";
import ajvFormats from "ajv-formats";
import { z } from "zod";
import { errorMessage } from "../core/errors.ts";
import { type ParamCheck, paramCheck, parseParams } from "./params.ts";
import { compileEcmaPattern } from "./regex-engine.ts";
import { extractJson } from "./text.ts";
import type { Validator } from "./types.ts";

// ajv-formats is CommonJS; under NodeNext its default export is reached through `.default`.
const addFormats = ajvFormats.default;

const SchemaParams = z.strictObject({
  schema: z.union([z.record(z.string(), z.unknown()), z.boolean()], {
    error: "expected a JSON Schema object",
  }),
});

/** ajv's regex engine: RE2 where it can express the pattern; a bad pattern throws, as RegExp would. */
const regExp: RegExpEngine = Object.assign(
  (pattern: string) => {
    const compiled = compileEcmaPattern(pattern);
    if (!compiled.ok) throw new SyntaxError(`Invalid regular expression: /${pattern}/: ${compiled.error}`);
    return compiled.pattern;
  },
  { code: "re2js" },
);

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
  const options = { allErrors: true, strict: false, code: { regExp } };
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

/** schema's params at submit time: a JSON Schema that ajv compiles. */
export const schemaParams: ParamCheck = paramCheck(SchemaParams, (p) => {
  try {
    compileSchema(p.schema);
    return [];
  } catch (err) {
    return [{ field: "schema", message: `invalid JSON Schema: ${errorMessage(err)}` }];
  }
});

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
  // With no JSON in it, llm_call validates the text itself (a string), so {"type": "string"} passes.
  const json = extractJson(response);
  if (validate(json.ok ? json.value : response)) return { valid: true };
  const errors = validate.errors ?? [];
  const listed = errors.slice(0, MAX_LISTED_ERRORS).map(formatAjvError);
  if (errors.length > listed.length) listed.push(`and ${errors.length - listed.length} more`);
  if (!json.ok) {
    return {
      valid: false,
      error: `No valid JSON found in response (${json.error}); as text it fails the schema: ${listed.join("; ")}`,
      suggestions: ["Ensure response contains valid JSON"],
    };
  }
  return {
    valid: false,
    error: `Schema validation failed: ${listed.join("; ")}`,
    suggestions: ["Ensure response matches the required schema"],
  };
};
