// Small text helpers shared by executors for error messages and protocol parsing.

/** The start of a text (at most `max` characters) formatted to append to an error message ("" when blank). */
export function excerpt(text: string | undefined, max = 500): string {
  const trimmed = text?.trim() ?? "";
  if (!trimmed) return "";
  return `: ${trimmed.length > max ? `${trimmed.slice(0, max)}…` : trimmed}`;
}

/** Parses JSON, returning undefined instead of throwing for text that is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
