// Text validators: response_not_empty, length, contains.
import { z } from "zod";
import { type ParamCheck, paramCheck, parseParams } from "./params.ts";
import type { ValidationResult, Validator } from "./types.ts";

/** response_not_empty (alias not_empty): the response has non-whitespace content. */
export const responseNotEmpty: Validator = (response) =>
  response.trim() === ""
    ? {
        valid: false,
        error: "Response content is empty",
        suggestions: ["Try rephrasing the prompt", "Check model availability"],
      }
    : { valid: true };

const LengthParams = z
  .strictObject({
    min_length: z.number().int().nonnegative().optional(),
    max_length: z.number().int().nonnegative().optional(),
  })
  .refine((p) => p.min_length !== undefined || p.max_length !== undefined, {
    error: "set min_length, max_length or both",
  })
  .refine((p) => p.min_length === undefined || p.max_length === undefined || p.min_length <= p.max_length, {
    error: "min_length is greater than max_length",
  });

/** length's params at submit time. */
export const lengthParams: ParamCheck = paramCheck(LengthParams);

/** length: the response has between min_length and max_length characters (Unicode code points). */
export const length: Validator = (response, raw) => {
  const parsed = parseParams("length", LengthParams, raw);
  if (!parsed.ok) return parsed.result;
  const { min_length, max_length } = parsed.params;
  // Code points, not UTF-16 units, so an emoji counts once (as Python's len() did in llm_call).
  const count = [...response].length;
  if (min_length !== undefined && count < min_length) {
    return {
      valid: false,
      error: `Response too short: ${count} characters (minimum: ${min_length})`,
      suggestions: [`Response should be at least ${min_length} characters`],
    };
  }
  if (max_length !== undefined && count > max_length) {
    return {
      valid: false,
      error: `Response too long: ${count} characters (maximum: ${max_length})`,
      suggestions: [`Response should be at most ${max_length} characters`],
    };
  }
  return { valid: true };
};

const ContainsParams = z.strictObject({
  required_text: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
    error: "expected a non-empty string or a non-empty list of non-empty strings",
  }),
  case_sensitive: z.boolean().default(false),
});

/** contains's params at submit time. */
export const containsParams: ParamCheck = paramCheck(ContainsParams);

/** contains: every required_text appears in the response (case-insensitive unless case_sensitive). */
export const contains: Validator = (response, raw): ValidationResult => {
  const parsed = parseParams("contains", ContainsParams, raw);
  if (!parsed.ok) return parsed.result;
  const { required_text, case_sensitive } = parsed.params;
  const wanted = typeof required_text === "string" ? [required_text] : required_text;
  const fold = (s: string) => (case_sensitive ? s : s.toLowerCase());
  const haystack = fold(response);
  const missing = wanted.filter((text) => !haystack.includes(fold(text)));
  if (missing.length === 0) return { valid: true };
  const quoted = missing.map((t) => JSON.stringify(t)).join(", ");
  return {
    valid: false,
    error: `Response missing required text: ${quoted}${case_sensitive ? " (case-sensitive)" : ""}`,
    suggestions: [`Response must contain: ${quoted}`],
  };
};
