// JSON encoding at the NATS edge; parsing returns field-named issues instead of throwing.
import type { z } from "zod";
import type { FieldIssue } from "../errors.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encode a value as UTF-8 JSON bytes. */
export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] };

/** Decode bytes as JSON and check them against a schema; issues name each bad field. */
export function decodeWith<S extends z.ZodType>(schema: S, bytes: Uint8Array): Parsed<z.infer<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(bytes));
  } catch (err) {
    return { ok: false, issues: [{ path: "", message: `not JSON: ${(err as Error).message}` }] };
  }
  return parseWith(schema, raw);
}

/** Check a value against a schema; issues name each bad field by its dotted path. */
export function parseWith<S extends z.ZodType>(schema: S, raw: unknown): Parsed<z.infer<S>> {
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, issues: r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) };
}

/** A short printable excerpt of a payload for rejection records. */
export function excerpt(bytes: Uint8Array, max = 500): string {
  const text = decoder.decode(bytes.subarray(0, max * 4));
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
