// Text output of the CLI: tables, progress bars, and `--json`.

/** Print a value as JSON (the `--json` form of every read command). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

const NUMBER_TEXT = /^(-|-?\$?\d+(\.\d+)?( s)?)$/;

/** A plain text table: columns padded to their widest cell; columns of numbers (and $ amounts) right-aligned. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const numeric = header.map(
    (_, i) =>
      rows.some((r) => r[i] !== "-") &&
      rows.every((r) => typeof r[i] === "number" || NUMBER_TEXT.test(String(r[i] ?? ""))),
  );
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return cells.map(line).join("\n");
}

/**
 * A progress bar of `width` cells for done / total (total 0: empty). It rounds down, so it is full
 * only when everything is done. `open` (an infinite job) keeps the last cell as "∞": never full.
 */
export function bar(done: number, total: number, width = 24, open = false): string {
  const cells = open ? width - 1 : width;
  const ratio = total > 0 ? Math.min(done / total, 1) : 0;
  const full = Math.floor(ratio * cells);
  return `[${"#".repeat(full)}${".".repeat(cells - full)}${open ? "∞" : ""}]`;
}

/** Dollars with cents, or more digits for small amounts. */
export function usd(n: number): string {
  return `$${n < 1 ? n.toFixed(4) : n.toFixed(2)}`;
}

/** First line of a text, at most `max` characters. */
export function firstLine(text: string | null | undefined, max = 70): string {
  const line = (text ?? "").split("\n").find((l) => l.trim()) ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * How the user ran this CLI, for hints that run as printed: `npx agents`, `npm run -s agents --`,
 * or `agents` (installed, linked, or run any other way).
 */
export function invocation(env: NodeJS.ProcessEnv = process.env): string {
  if (env.npm_lifecycle_event === "agents") return "npm run -s agents --";
  if (env.npm_command === "exec") return "npx agents";
  return "agents";
}
