// Small statistics and formatting helpers for the benchmark report.

/** The q-quantile (0..1) of a list by nearest rank; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export type Spread = { median: number; min: number; max: number };

/** Median, min and max of per-round values. */
export function spread(values: readonly number[]): Spread {
  return {
    median: quantile(values, 0.5),
    min: values.length ? Math.min(...values) : Number.NaN,
    max: values.length ? Math.max(...values) : Number.NaN,
  };
}

/** A number with sensible precision for a table. */
export function fmt(n: number, digits?: number): string {
  if (!Number.isFinite(n)) return "n/a";
  const d = digits ?? (Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2);
  return n.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** "median (min – max)". */
export function fmtSpread(s: Spread, digits?: number): string {
  return `${fmt(s.median, digits)} (${fmt(s.min, digits)} – ${fmt(s.max, digits)})`;
}

/** Render rows as a Markdown table (pipes in cells are escaped). */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const esc = (s: string) => s.replaceAll("|", "\\|");
  const lines = [
    `| ${header.map(esc).join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ];
  return lines.join("\n");
}

/** Milliseconds since an arbitrary origin, with sub-millisecond precision. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
