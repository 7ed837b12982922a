// A scenario's figures and which of them must hold. A figure with a rule that breaks makes the
// whole run exit non-zero, so `npm run chaos` can gate CI.
import { fmt, quantile, table } from "../stats.ts";
import { KNOWN_BROKEN, type KnownBroken, knownBroken } from "./known-broken.ts";

export type Figure = {
  name: string;
  value: number | string;
  /** The rule it must meet, in words ("= 0", "≤ 10"); none for figures that are only reported. */
  must?: string;
  held?: boolean;
  /** Why it is known to break on main today (then it does not fail the run); see known-broken.ts. */
  known?: string;
};

/** The figures every summary row shows, in this order, when the scenario has them. */
export const SUMMARY_FIGURES = ["submitted", "completed", "lost", "completed twice", "stuck", "5xx"] as const;

export class ScenarioReport {
  readonly figures: Figure[] = [];
  readonly notes: string[] = [];
  /** Recovery times for the summary ("redelivery p50 3.1 s / p90 8.0 s"). */
  recovery: string[] = [];
  durationMs = 0;

  constructor(
    readonly name: string,
    private readonly known: readonly KnownBroken[] = KNOWN_BROKEN,
  ) {}

  private rule(name: string, value: number, must: string, held: boolean): void {
    const known = knownBroken(this.name, name, this.known);
    this.figures.push({ name, value, must, held, ...(known ? { known } : {}) });
  }

  /** A figure only reported. */
  info(name: string, value: number | string): void {
    this.figures.push({ name, value });
  }

  /** A count that must be 0. */
  zero(name: string, value: number): void {
    this.rule(name, value, "= 0", value === 0);
  }

  /** A number that must be at most `limit` (NaN, nothing measured, breaks it). */
  atMost(name: string, value: number, limit: number): void {
    this.rule(name, value, `≤ ${limit}`, value <= limit);
  }

  /** A number that must be at least `limit`. */
  atLeast(name: string, value: number, limit: number): void {
    this.rule(name, value, `≥ ${limit}`, value >= limit);
  }

  /** Something seen that explains a figure (printed under the scenario). */
  note(text: string): void {
    this.notes.push(text);
  }

  /** p50/p90 (seconds) of a list of durations in ms, as figures and a recovery line; p90 ≤ limit if given. */
  times(label: string, ms: readonly number[], p90LimitS?: number): void {
    const p50 = quantile(ms, 0.5) / 1000;
    const p90 = quantile(ms, 0.9) / 1000;
    this.info(`${label} samples`, ms.length);
    this.info(`${label} p50 s`, round(p50));
    if (p90LimitS === undefined) this.info(`${label} p90 s`, round(p90));
    else this.atMost(`${label} p90 s`, round(p90), p90LimitS);
    if (ms.length > 0) this.recovery.push(`${label} p50 ${fmt(p50, 1)} s / p90 ${fmt(p90, 1)} s`);
    else this.recovery.push(`${label}: no samples`);
  }

  /** Must-hold figures that broke: any one fails the run. */
  get broken(): Figure[] {
    return this.figures.filter((f) => f.held === false && f.known === undefined);
  }

  /** Figures that broke as known (their fix has not landed): reported, not failing the run. */
  get knownBroken(): Figure[] {
    return this.figures.filter((f) => f.held === false && f.known !== undefined);
  }

  get value(): (name: string) => number | string | undefined {
    return (name) => this.figures.find((f) => f.name === name)?.value;
  }
}

const round = (n: number) => (Number.isFinite(n) ? Math.round(n * 10) / 10 : n);

const shown = (v: number | string | undefined) =>
  v === undefined ? "–" : typeof v === "number" ? (Number.isInteger(v) ? String(v) : fmt(v)) : v;

function verdict(f: Figure): string {
  if (f.held) return f.known ? `ok, though listed as known broken (${f.known}): make it must-hold` : "ok";
  return f.known ? `KNOWN BROKEN, ${f.known}` : "BROKEN";
}

/** The result column: what broke, then what broke as known. */
export function result(r: ScenarioReport): string {
  const parts = [
    ...(r.broken.length > 0
      ? [`BROKEN: ${r.broken.map((f) => `${f.name} ${shown(f.value)}`).join(", ")}`]
      : []),
    ...r.knownBroken.map((f) => `known broken (${f.known}): ${f.name} ${shown(f.value)}`),
  ];
  return parts.join("; ") || "ok";
}

/** Every figure of one scenario, one a line (printed when it ends). */
export function scenarioLines(r: ScenarioReport): string[] {
  const lines = [`## ${r.name} (${fmt(r.durationMs / 1000, 0)} s)`];
  for (const f of r.figures) {
    const rule = f.must ? `  (must be ${f.must}: ${verdict(f)})` : "";
    lines.push(`  ${f.name.padEnd(38)} ${shown(f.value)}${rule}`);
  }
  for (const n of r.notes) lines.push(`  note: ${n}`);
  return lines;
}

/** The table at the end: one row per scenario. */
export function summaryTable(reports: readonly ScenarioReport[]): string {
  const header = ["scenario", ...SUMMARY_FIGURES, "recovery", "result"];
  const rows = reports.map((r) => [
    r.name,
    ...SUMMARY_FIGURES.map((f) => shown(r.value(f))),
    r.recovery.join("; ") || "–",
    result(r),
  ]);
  return table(header, rows);
}
