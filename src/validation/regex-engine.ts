// User-supplied regexes run on RE2 (re2js, a pure-JavaScript port of RE2: matching is linear in
// the text, so no pattern can backtrack for ever). Only what RE2 cannot express (lookahead,
// backreferences) falls back to JavaScript's backtracking engine, and such a pattern is marked so
// that it runs only in the validation thread, under its deadline (see ./offload.ts).
import { RE2JS } from "re2js";
import { errorMessage } from "../core/errors.ts";
import { PatternError, translatePythonPattern } from "./python-regex.ts";

export type RegexEngine = "re2" | "backtracking";
export type CompiledPattern = { engine: RegexEngine; test(text: string): boolean };
export type PatternResult = { ok: true; pattern: CompiledPattern } | { ok: false; error: string };

const MAX_CACHED = 256;
const cache = new Map<string, PatternResult>();

/** Memoises compiled patterns: a job's tasks and retries use the same few patterns. */
function cached(key: string, compile: () => PatternResult): PatternResult {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const result = compile();
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value ?? "");
  cache.set(key, result);
  return result;
}

function re2(source: string, flags: number): CompiledPattern {
  const compiled = RE2JS.compile(source, flags);
  return { engine: "re2", test: (text) => compiled.test(text) };
}

function backtracking(source: string, flags: string): CompiledPattern {
  const compiled = new RegExp(source, flags);
  return { engine: "backtracking", test: (text) => compiled.test(text) };
}

/** Compiles a Python `re` pattern with Python flag bits (llm_call's `re.compile(pattern, flags)`). */
export function compilePythonPattern(pattern: string, flagBits: number): PatternResult {
  return cached(`py\0${flagBits}\0${pattern}`, () => {
    let t: ReturnType<typeof translatePythonPattern>;
    try {
      t = translatePythonPattern(pattern, flagBits);
    } catch (err) {
      if (err instanceof PatternError) return { ok: false, error: err.message };
      throw err;
    }
    let re2Error: string | undefined;
    if (t.re2 !== undefined) {
      const flags =
        (t.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0) |
        (t.multiline ? RE2JS.MULTILINE : 0) |
        (t.dotAll ? RE2JS.DOTALL : 0) |
        (t.lookbehind ? RE2JS.LOOKBEHINDS : 0);
      try {
        return { ok: true, pattern: re2(t.re2, flags) };
      } catch (err) {
        // RE2 also refuses what Python allows (a repeat count over 1000, a lookbehind with groups).
        re2Error = errorMessage(err).replace(/^error parsing regexp: /, "");
      }
    }
    if (t.js === undefined) {
      return { ok: false, error: re2Error ?? "scoped (?i:…) together with a lookahead or backreference" };
    }
    try {
      return { ok: true, pattern: backtracking(t.js, t.ignoreCase ? "iu" : "u") };
    } catch (err) {
      return { ok: false, error: re2Error ?? errorMessage(err).replace(/^Invalid regular expression: /, "") };
    }
  });
}

/** Compiles an ECMAScript pattern with the `u` flag (a JSON Schema `pattern`), on RE2 where it can. */
export function compileEcmaPattern(pattern: string): PatternResult {
  return cached(`es\0${pattern}`, () => {
    try {
      return { ok: true, pattern: re2(RE2JS.translateRegExp(pattern), 0) };
    } catch {
      try {
        return { ok: true, pattern: backtracking(pattern, "u") };
      } catch (err) {
        return { ok: false, error: errorMessage(err) };
      }
    }
  });
}
