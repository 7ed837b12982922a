// JSON validators: json_string (alias json) and field_present, as llm_call's JsonStringValidator
// and FieldPresentValidator decide.
import { z } from "zod";
import { type ParamCheck, paramCheck, parseParams } from "./params.ts";
import { extractJson, fencedBlocks, parseJson } from "./text.ts";
import type { Validator } from "./types.ts";

const JSON_SUGGESTIONS = [
  "Ensure prompt requests JSON format",
  "Try adding 'You must respond with valid JSON' to prompt",
  "Check for trailing commas or unquoted strings",
];

/**
 * json_string (alias json): the whole response is JSON, as llm_call's `json.loads(content)` asks;
 * JSON in a fenced block or amid prose fails (the failure says so, so the retry drops the fence).
 */
export const jsonString: Validator = (response) => {
  if (response === "") return { valid: false, error: "Empty content cannot be valid JSON" };
  const parsed = parseJson(response);
  if (parsed.ok) return { valid: true };
  const fenced = fencedBlocks(response).some((b) => parseJson(b.code).ok);
  return {
    valid: false,
    error: fenced ? `${parsed.error} (the JSON is inside a fenced code block)` : parsed.error,
    suggestions: fenced
      ? ["Respond with the JSON alone, without a code fence", ...JSON_SUGGESTIONS]
      : JSON_SUGGESTIONS,
  };
};

/** Python's `==` on JSON values: booleans equal the numbers 0 and 1, containers compare deeply. */
export function pyEqual(a: unknown, b: unknown): boolean {
  const num = (v: unknown) => (typeof v === "boolean" ? Number(v) : v);
  if (typeof num(a) === "number" && typeof num(b) === "number") return num(a) === num(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => pyEqual(x, b[i]))
    );
  }
  if (typeof a === "object" && typeof b === "object" && a !== null && b !== null) {
    const ka = Object.keys(a);
    const rb = b as Record<string, unknown>;
    return (
      ka.length === Object.keys(b).length &&
      ka.every((k) => Object.hasOwn(rb, k) && pyEqual((a as Record<string, unknown>)[k], rb[k]))
    );
  }
  return a === b;
}

/**
 * Follows a dotted path ("user.address.city") through objects as llm_call does; a numeric part
 * also indexes an array ("items.0.id"), which llm_call never finds (our extension).
 */
export function lookupPath(value: unknown, path: string): { found: boolean; value?: unknown } {
  let current = value;
  for (const key of path.split(".")) {
    if (Array.isArray(current) && /^\d+$/.test(key) && Number(key) < current.length) {
      current = current[Number(key)];
    } else if (
      typeof current === "object" &&
      current !== null &&
      !Array.isArray(current) &&
      Object.hasOwn(current, key)
    ) {
      current = (current as Record<string, unknown>)[key];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: current };
}

const FieldPresentParams = z.strictObject({
  field_name: z.string().min(1),
  // llm_call's default is None, and None means "any value": so does null here.
  expected_value: z.unknown().optional(),
  should_exist: z.boolean().default(true),
});

/** field_present's params at submit time. */
export const fieldPresentParams: ParamCheck = paramCheck(FieldPresentParams);

/** field_present: the JSON response has (or, with should_exist false, lacks) field_name, optionally equal to expected_value. */
export const fieldPresent: Validator = (response, raw) => {
  const parsed = parseParams("field_present", FieldPresentParams, raw);
  if (!parsed.ok) return parsed.result;
  const { field_name, expected_value, should_exist } = parsed.params;
  const json = extractJson(response);
  // Without JSON the field is surely absent: llm_call passes should_exist false then, too.
  if (!json.ok && !should_exist) return { valid: true };
  if (!json.ok) {
    return {
      valid: false,
      error: `No valid JSON found to check fields: ${json.error}`,
      suggestions: ["Ensure response contains valid JSON"],
    };
  }
  const field = lookupPath(json.value, field_name);
  if (should_exist && !field.found) {
    return {
      valid: false,
      error: `Required field '${field_name}' not found`,
      suggestions: [`Include field '${field_name}' in response`],
    };
  }
  if (!should_exist && field.found) {
    return {
      valid: false,
      error: `Field '${field_name}' should not be present`,
      suggestions: [`Remove field '${field_name}' from response`],
    };
  }
  if (should_exist && expected_value !== undefined && expected_value !== null) {
    if (!pyEqual(field.value, expected_value)) {
      const expected = JSON.stringify(expected_value);
      return {
        valid: false,
        error: `Field '${field_name}' has value ${JSON.stringify(field.value)}, expected ${expected}`,
        suggestions: [`Set '${field_name}' to ${expected}`],
      };
    }
  }
  return { valid: true };
};
