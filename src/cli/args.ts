// Command-line options: node's parseArgs with the rough edges a user meets taken off. A negative
// number after an option that takes a value (`--priority -5`, `--count -1`) is that option's value,
// not an unknown flag ("argument is ambiguous"); a malformed command line is a usage error that
// prints the command's usage.
import { type ParseArgsConfig, parseArgs } from "node:util";
import { MAX_COUNT } from "../core/events/index.ts";
import { usage } from "./exit.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** `--name -5` becomes `--name=-5` for options that take a value, so a negative number is a value. */
export function joinNegativeValues(args: readonly string[], options: Options): string[] {
  const takesValue = new Set<string>();
  for (const [name, o] of Object.entries(options)) {
    if (o.type !== "string") continue;
    takesValue.add(`--${name}`);
    if (o.short) takesValue.add(`-${o.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const next = args[i + 1];
    if (takesValue.has(a) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** Parse a command's arguments; a bad option or value is a usage error naming it, then the usage. */
export function parseCommand<const O extends Options>(
  args: readonly string[],
  options: O,
  usageText: string,
) {
  try {
    return parseArgs({
      args: joinNegativeValues(args, options),
      options,
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"))
      throw usage(`${(err as Error).message}\n${usageText}`);
    throw err;
  }
}

/** An integer option within [min, max], or undefined when absent; a usage error naming it otherwise. */
export function intOption(
  name: string,
  raw: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isInteger(n) || n < min || n > max)
    throw usage(`--${name}: an integer from ${min} to ${max} (got "${raw}")`);
  return n;
}

/** The count of a submission: an integer 1–N or "infinite". */
export function countOption(raw: string): number | "infinite" {
  if (raw === "infinite") return "infinite";
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isInteger(n) || n < 1 || n > MAX_COUNT)
    throw usage(`count: an integer 1–${MAX_COUNT} or infinite (got "${raw}")`);
  return n;
}

/** An ISO time option (the routes take ISO date-times), or undefined when absent. */
export function timeOption(name: string, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  if (!Number.isFinite(ms))
    throw usage(`--${name}: a date or time such as 2026-01-31 or 2026-01-31T12:00:00Z (got "${raw}")`);
  return new Date(ms).toISOString();
}

/** One of a few words, or undefined when absent. */
export function choiceOption<const T extends readonly string[]>(
  name: string,
  raw: string | undefined,
  values: T,
): T[number] | undefined {
  if (raw === undefined) return undefined;
  if (!values.includes(raw)) throw usage(`--${name}: one of ${values.join(", ")} (got "${raw}")`);
  return raw as T[number];
}
