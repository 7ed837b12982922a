// Report sections on costs: ratios between the systems, memory and CPU, and round trips per lifecycle.
import { type Counts, totalOf } from "./nats-counter.ts";
import type { BenchReport, Round } from "./report-types.ts";
import { fmt, fmtSpread, quantile, spread, table } from "./stats.ts";

/** The defined (and not NaN) values of one measure over the rounds. */
export const pick = <T>(rounds: Round[], f: (r: Round) => T | undefined): T[] =>
  rounds.map(f).filter((x): x is T => x !== undefined && !(typeof x === "number" && Number.isNaN(x)));

/** Ours ÷ the limit and ours ÷ BullMQ, computed per round, then median (min – max). */
export function ratioSection(rounds: Round[]): string {
  const ratio = (f: (r: Round) => [number, number] | undefined) =>
    fmtSpread(
      spread(
        pick(rounds, (r) => {
          const v = f(r);
          return v ? v[0] / v[1] : undefined;
        }),
      ),
      3,
    );
  const d = (xs: number[] | undefined, q: number) => quantile(xs ?? [], q);
  const rows = [
    [
      "ours lifecycles/s ÷ limit lifecycles/s",
      ratio((r) =>
        r.ours && r.limit ? [r.ours.saturated.lifecyclesPerSec, r.limit.lifecyclesPerSec] : undefined,
      ),
    ],
    [
      "ours lifecycles/s ÷ BullMQ jobs/s",
      ratio((r) =>
        r.ours && r.bull ? [r.ours.saturated.lifecyclesPerSec, r.bull.saturated.jobsPerSec] : undefined,
      ),
    ],
    [
      "ours tasks/s (generator + critic) ÷ BullMQ jobs/s",
      ratio((r) =>
        r.ours && r.bull ? [r.ours.saturated.tasksPerSec, r.bull.saturated.jobsPerSec] : undefined,
      ),
    ],
    [
      "ours dispatch p50 ÷ BullMQ add→start p50 (same offered load)",
      ratio((r) =>
        r.ours?.paced && r.bull?.pacedOurs
          ? [d(r.ours.paced.dispatchMs, 0.5), d(r.bull.pacedOurs.addToStartMs, 0.5)]
          : undefined,
      ),
    ],
    [
      "ours dispatch p99 ÷ BullMQ add→start p99 (same offered load)",
      ratio((r) =>
        r.ours?.paced && r.bull?.pacedOurs
          ? [d(r.ours.paced.dispatchMs, 0.99), d(r.bull.pacedOurs.addToStartMs, 0.99)]
          : undefined,
      ),
    ],
    [
      "ours dispatch p50 ÷ BullMQ add→start p50 (each at 50% of its rate)",
      ratio((r) =>
        r.ours?.paced && r.bull?.pacedOwn
          ? [d(r.ours.paced.dispatchMs, 0.5), d(r.bull.pacedOwn.addToStartMs, 0.5)]
          : undefined,
      ),
    ],
  ];
  return [
    "## 4. Ratios, pair by pair per round: median (min – max)",
    "",
    table(["ratio", "value"], rows),
  ].join("\n");
}

/** Memory per in-flight task and CPU time per task. */
export function memorySection(r: BenchReport): string {
  const m = r.memory;
  const sat = pick(r.rounds, (x) => x.ours?.saturated);
  const cpu = sat.length
    ? fmt(
        quantile(
          sat.map((s) => s.cpuMs / s.totalTasks),
          0.5,
        ),
        2,
      )
    : "n/a";
  const natsCpu = sat.length
    ? fmt(
        quantile(
          sat.map((s) => s.natsCpuMs / s.totalTasks),
          0.5,
        ),
        2,
      )
    : "n/a";
  const rows = [
    ["CPU time per task (node process, saturated phase; generator and critic tasks both count)", `${cpu} ms`],
    ["CPU time per task (nats-server)", `${natsCpu} ms`],
  ];
  if (m) {
    rows.push([
      `RSS per in-flight task (${m.tasks} held; ${fmt(m.baseline.rssMb, 0)} → ${fmt(m.loaded.rssMb, 0)} MB)`,
      `${fmt(m.rssKbPerTask, 1)} KB`,
    ]);
    rows.push([
      `heap per in-flight task (${fmt(m.baseline.heapMb, 1)} → ${fmt(m.loaded.heapMb, 1)} MB)`,
      `${fmt(m.heapKbPerTask, 1)} KB`,
    ]);
    rows.push([
      `RSS / heap per in-flight task, marginal (the second ${m.tasks - Math.floor(m.tasks / 2)} held against the first)`,
      `${fmt(m.marginalRssKbPerTask, 1)} / ${fmt(m.marginalHeapKbPerTask, 1)} KB`,
    ]);
    rows.push([`time to start all ${m.tasks}`, `${fmt(m.startAllMs / 1000, 1)} s`]);
  }
  return ["## 5. Memory and CPU", "", table(["measure", "value"], rows)].join("\n");
}

/** Messages each actor connection sent per lifecycle, by kind. */
export function roundTripSection(rounds: Round[]): string {
  const sat = pick(rounds, (r) => r.ours?.saturated);
  if (sat.length === 0) return "";
  const rows: string[][] = [];
  const actors = new Set(sat.flatMap((s) => Object.keys(s.counts)));
  for (const actor of actors) {
    const kinds = new Set(sat.flatMap((s) => Object.keys((s.counts as Record<string, Counts>)[actor] ?? {})));
    const per = (f: (c: Counts) => number) =>
      fmt(
        quantile(
          sat.map((s) => f((s.counts as Record<string, Counts>)[actor] ?? {}) / s.tasks),
          0.5,
        ),
        2,
      );
    for (const k of [...kinds].sort()) rows.push([actor, k, per((c) => c[k] ?? 0)]);
    rows.push([actor, "**total**", per(totalOf)]);
  }
  rows.push([
    "all",
    "**total messages sent**",
    fmt(
      quantile(
        sat.map((s) => Object.values(s.counts).reduce((a, c) => a + totalOf(c ?? {}), 0) / s.tasks),
        0.5,
      ),
      1,
    ),
  ]);
  return [
    "## Round trips: messages each connection sent per lifecycle (saturated phase, median of rounds)",
    "",
    table(["actor", "kind", "per lifecycle"], rows),
  ].join("\n");
}
