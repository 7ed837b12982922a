// JSON validators: json_string (alias json) and field_present.
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { parseParams } from "./params.ts";
import { parseJsonResponse } from "./text.ts";
import type { Validator } from "./types.ts";

const JSON_SUGGESTIONS = [
  "Ensure prompt requests JSON format",
  "Try adding 'You must respond with valid JSON' to prompt",
  "Check for trailing commas or unquoted strings",
];

/** json_string (alias json): the response is JSON, bare or inside a ```json fenced block. */
export const jsonString: Validator = (response) => {
  const parsed = parseJsonResponse(response);
  return parsed.ok ? { valid: true } : { valid: false, error: parsed.error, suggestions: JSON_SUGGESTIONS };
};

/** Follows a dotted path ("user.address.city", "items.0.id") through objects and arrays. */
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
  expected_value: z.unknown().optional(),
  should_exist: z.boolean().default(true),
});

/** field_present: the JSON response has (or, with should_exist false, lacks) field_name, optionally equal to expected_value. */
export const fieldPresent: Validator = (response, raw) => {
  const parsed = parseParams("field_present", FieldPresentParams, raw);
  if (!parsed.ok) return parsed.result;
  const { field_name, expected_value, should_exist } = parsed.params;
  const json = parseJsonResponse(response);
  if (!json.ok) {
    return {
      valid: false,
      error: `No valid JSON found to check field '${field_name}': ${json.error}`,
      suggestions: ["Ensure response contains valid JSON"],
    };
  }
  const field = lookupPath(json.value, field_name);
  if (!should_exist) {
    return field.found
      ? {
          valid: false,
          error: `Field '${field_name}' should not be present`,
          suggestions: [`Remove field '${field_name}' from response`],
        }
      : { valid: true };
  }
  if (!field.found) {
    return {
      valid: false,
      error: `Required field '${field_name}' not found`,
      suggestions: [`Include field '${field_name}' in response`],
    };
  }
  // `expected_value: null` is a real expectation; only a missing key means "any value".
  if (expected_value !== undefined && !isDeepStrictEqual(field.value, expected_value)) {
    const expected = JSON.stringify(expected_value);
    return {
      valid: false,
      error: `Field '${field_name}' is ${JSON.stringify(field.value)}, expected ${expected}`,
      suggestions: [`Set field '${field_name}' to ${expected}`],
    };
  }
  return { valid: true };
};
