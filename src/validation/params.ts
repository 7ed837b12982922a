// Each validator checks its own params with a small zod schema; a bad param becomes a failed
// validation naming it ("params.min_length: expected a number, received string"), never a throw.
// The same checks run at submit time (see ./catalog.ts), so a submission with bad params is refused
// with the field named instead of failing every attempt of every task later.
import type { z } from "zod";
import type { ValidationResult } from "./types.ts";

export type ParsedParams<T> = { ok: true; params: T } | { ok: false; result: ValidationResult };

/** One thing wrong with a validator's params: the dotted field inside params ("" for params itself). */
export type ParamIssue = { field: string; message: string };

/** Everything wrong with a validator's params; empty when a task could run it with them. */
export type ParamCheck = (params: Record<string, unknown>) => ParamIssue[];

type Issue = { path: PropertyKey[]; message: string };

const ARTICLE: Record<string, string> = { integer: "an", object: "an", array: "an" };

/** One zod issue as the field it names and what was wrong with it, in plain words. */
export function paramIssue(issue: Issue): ParamIssue {
  const message = issue.message
    .replace(/^Invalid (input|option): /, "")
    .replace(/^expected (\w+), received undefined$/, "is required (expected $1)")
    .replace(
      /\bexpected (number|string|boolean|object|array|integer|record)\b/,
      (_match, type: string) => `expected ${ARTICLE[type] ?? "a"} ${type}`,
    );
  return {
    field: issue.path.map(String).join("."),
    message: `${message.charAt(0).toLowerCase()}${message.slice(1)}`,
  };
}

/** "params.<field>: <message>", as a failed validation names a bad param. */
export function describeParamIssue(issue: ParamIssue): string {
  return `${["params", ...(issue.field ? [issue.field] : [])].join(".")}: ${issue.message}`;
}

/** Turns one zod issue into "params.<path>: <what was wrong>". */
export function describeIssue(issue: Issue): string {
  return describeParamIssue(paramIssue(issue));
}

/** Parses a validator's params, or answers the failed validation that names the bad param. */
export function parseParams<S extends z.ZodType>(
  validator: string,
  schema: S,
  params: Record<string, unknown>,
): ParsedParams<z.output<S>> {
  const parsed = schema.safeParse(params);
  if (parsed.success) return { ok: true, params: parsed.data };
  return {
    ok: false,
    result: {
      valid: false,
      error: parsed.error.issues.map(describeIssue).join("; "),
      suggestions: [`Fix the ${validator} validator's params in the task's validation list`],
    },
  };
}

/**
 * The submit-time check of a validator's params: its schema, then (once that holds) what only
 * compiling them finds (a regex that does not compile, a JSON Schema ajv refuses).
 */
export function paramCheck<S extends z.ZodType>(
  schema: S,
  compiles: (params: z.output<S>) => ParamIssue[] = () => [],
): ParamCheck {
  return (params) => {
    const parsed = schema.safeParse(params);
    return parsed.success ? compiles(parsed.data) : parsed.error.issues.map(paramIssue);
  };
}

/** For validators that take no params (llm_call ignores whatever is passed to them, and so do we). */
export const NO_PARAMS: ParamCheck = () => [];
