// Each validator checks its own params with a small zod schema; a bad param becomes a failed
// validation naming it ("params.min_length: expected a number, received string"), never a throw.
import type { z } from "zod";
import type { ValidationResult } from "./types.ts";

export type ParsedParams<T> = { ok: true; params: T } | { ok: false; result: ValidationResult };

type Issue = { path: PropertyKey[]; message: string };

const ARTICLE: Record<string, string> = { integer: "an", object: "an", array: "an" };

/** Turns one zod issue into "params.<path>: <what was wrong>". */
export function describeIssue(issue: Issue): string {
  const path = ["params", ...issue.path.map(String)].join(".");
  const message = issue.message
    .replace(/^Invalid (input|option): /, "")
    .replace(/^expected (\w+), received undefined$/, "is required (expected $1)")
    .replace(
      /\bexpected (number|string|boolean|object|array|integer|record)\b/,
      (_match, type: string) => `expected ${ARTICLE[type] ?? "a"} ${type}`,
    );
  return `${path}: ${message.charAt(0).toLowerCase()}${message.slice(1)}`;
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
