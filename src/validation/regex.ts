// regex: the response matches a pattern. Specs written for llm_call carry Python patterns and
// Python `re` flag numbers, so the common Python-only spellings are translated to JavaScript.
import { z } from "zod";
import { errorMessage } from "../core/errors.ts";
import { parseParams } from "./params.ts";
import type { Validator } from "./types.ts";

const RegexParams = z.strictObject({
  pattern: z.string().min(1),
  flags: z
    .union([z.string(), z.number().int().nonnegative()], {
      error: 'expected JavaScript flag letters ("im") or a Python re flags number (re.I = 2)',
    })
    .optional(),
});

// Python re flag bits → JavaScript flags; ASCII (256), LOCALE (4) and UNICODE (32) need no flag.
const PYTHON_FLAGS: ReadonlyArray<readonly [number, string]> = [
  [2, "i"],
  [8, "m"],
  [16, "s"],
];
const PYTHON_IGNORED = 4 | 32 | 256;
const PYTHON_VERBOSE = 64;

export type CompiledRegex = { ok: true; regex: RegExp } | { ok: false; error: string };

/** Builds the RegExp, translating (?P<name>…), (?P=name), leading (?ims) and numeric flags. */
export function compileRegex(pattern: string, flags: string | number = ""): CompiledRegex {
  let jsFlags = "";
  if (typeof flags === "number") {
    if (flags & PYTHON_VERBOSE) return { ok: false, error: "params.flags: re.VERBOSE (64) is not supported" };
    const unknown = flags & ~(PYTHON_FLAGS.reduce((all, [bit]) => all | bit, 0) | PYTHON_IGNORED);
    if (unknown !== 0) return { ok: false, error: `params.flags: unknown Python re flag bits ${unknown}` };
    jsFlags = PYTHON_FLAGS.filter(([bit]) => flags & bit)
      .map(([, letter]) => letter)
      .join("");
  } else {
    try {
      new RegExp("", flags);
    } catch (err) {
      return { ok: false, error: `params.flags: ${errorMessage(err)}` };
    }
    jsFlags = flags;
  }
  let source = pattern.replace(/\(\?P</g, "(?<").replace(/\(\?P=(\w+)\)/g, "\\k<$1>");
  const inline = /^\(\?([aiLmsux]+)\)/.exec(source);
  if (inline?.[1] !== undefined) {
    if (inline[1].includes("x"))
      return { ok: false, error: "params.pattern: inline flag (?x) is not supported" };
    jsFlags += inline[1].replace(/[aLu]/g, "");
    source = source.slice(inline[0].length);
  }
  try {
    return { ok: true, regex: new RegExp(source, [...new Set(jsFlags)].join("")) };
  } catch (err) {
    return { ok: false, error: `params.pattern: invalid regular expression: ${errorMessage(err)}` };
  }
}

/** regex: the response contains a match for `pattern` (searched anywhere, like Python's re.search). */
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
