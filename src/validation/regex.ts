// regex: the response matches a Python `re` pattern, searched anywhere as llm_call's
// `re.compile(pattern, flags).search(content)` does; flags are Python's numbers (re.I = 2) or
// letters. The pattern runs on RE2 (see ./regex-engine.ts), so it cannot hang a worker.
import { z } from "zod";
import { type ParamCheck, paramCheck, parseParams } from "./params.ts";
import { checkFlagBits, flagLetters, PatternError } from "./python-regex.ts";
import { type CompiledPattern, compilePythonPattern } from "./regex-engine.ts";
import type { Validator } from "./types.ts";

const RegexParams = z.strictObject({
  pattern: z.string(),
  flags: z
    .union([z.string(), z.number().int().nonnegative()], {
      error: 'expected Python re flags: a number (re.I = 2, re.M = 8, re.S = 16) or letters ("ims")',
    })
    .default(0),
});

export type CompiledRegex =
  | { ok: true; regex: CompiledPattern }
  | { ok: false; field: "flags" | "pattern"; message: string; error: string };

/** Compiles a pattern with Python flags (a number or letters), naming the bad param on failure. */
export function compileRegex(pattern: string, flags: string | number = 0): CompiledRegex {
  const fail = (field: "flags" | "pattern", message: string): CompiledRegex => ({
    ok: false,
    field,
    message,
    error: `params.${field}: ${message}`,
  });
  let bits: number;
  try {
    bits = typeof flags === "number" ? flags : flagLetters(flags);
    checkFlagBits(bits);
  } catch (err) {
    if (err instanceof PatternError) return fail("flags", err.message);
    throw err;
  }
  const compiled = compilePythonPattern(pattern, bits);
  if (compiled.ok) return { ok: true, regex: compiled.pattern };
  return fail("pattern", `invalid regular expression: ${compiled.error}`);
}

/** regex's params at submit time: the schema, then the pattern must compile with its flags. */
export const regexParams: ParamCheck = paramCheck(RegexParams, ({ pattern, flags }) => {
  const compiled = compileRegex(pattern, flags);
  return compiled.ok ? [] : [{ field: compiled.field, message: compiled.message }];
});

/** regex: the response contains a match for `pattern`. */
export const regex: Validator = (response, raw) => {
  const parsed = parseParams("regex", RegexParams, raw);
  if (!parsed.ok) return parsed.result;
  const { pattern, flags } = parsed.params;
  const compiled = compileRegex(pattern, flags);
  if (!compiled.ok) {
    return {
      valid: false,
      error: compiled.error,
      suggestions: ["Fix the regex validator's pattern or flags"],
    };
  }
  if (compiled.regex.test(response)) return { valid: true };
  return {
    valid: false,
    error: `Response does not match pattern: ${pattern}`,
    suggestions: ["Ensure response matches the required pattern"],
  };
};
