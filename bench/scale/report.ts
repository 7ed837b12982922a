// The scale-out report: per configuration, lifecycles/s round by round, the ratio to the 1-worker
// baseline of the same round, CPU per kind of process and the load; Markdown on stdout.
import { fmt, quantile, table } from "../stats.ts";
import type { FailoverRun } from "./failover.ts";
import { BASELINE, type ScaleConfig, type ScaleOptions } from "./options.ts";
import type { ConfigRun } from "./run.ts";
import { KINDS, type Kind } from "./stack.ts";

export type ScaleReport = {
  options: ScaleOptions;
  machine: { cores: number; cpu: string; node: string; natsServer: string; load: [number, number] };
  runs: ConfigRun[];
  failover: FailoverRun | undefined;
  elapsedMs: number;
};

export type ConfigSummary = {
  config: ScaleConfig;
  /** Lifecycles/s in each round (NaN where the round has no run of this configuration). */
  perRound: number[];
  median: number;
  /** This round's lifecycles/s ÷ the baseline's in the same round (NaN where either is missing). */
  ratios: number[];
  medianRatio: number;
  /** Median over rounds of the CPU seconds each kind used in the saturated phase. */
  cpuSeconds: Record<Kind, number>;
  /** Median over rounds of all processes' CPU per lifecycle (ms). */
  cpuMsPerLifecycle: number;
  /** Median over rounds of the leading orchestrator's CPU per lifecycle (ms). */
  leaderMsPerLifecycle: number;
  /** Median over rounds of the paced phase's dispatch p50 and p99 (ms). */
  dispatch: { p50: number; p99: number } | undefined;
  /** Load average at the start and the end of each round's run. */
  load: Array<[number, number]>;
};

const median = (xs: number[]) => quantile(xs.filter(Number.isFinite), 0.5);

/** One summary per configuration, in the order given; ratios paired round by round. */
export function summarize(runs: readonly ConfigRun[], configs: readonly ScaleConfig[], rounds: number) {
  const find = (id: string, round: number) => runs.find((r) => r.config === id && r.round === round);
  const roundNumbers = Array.from({ length: rounds }, (_, i) => i + 1);
  return configs.map((config): ConfigSummary => {
    const mine = roundNumbers.map((r) => find(config.id, r));
    const perRound = mine.map((r) => r?.lifecyclesPerSec ?? Number.NaN);
    const ratios = roundNumbers.map((r, i) => {
      const base = find(BASELINE, r)?.lifecyclesPerSec;
      const own = perRound[i] ?? Number.NaN;
      return base ? own / base : Number.NaN;
    });
    const present = mine.filter((r): r is ConfigRun => r !== undefined);
    const cpuSeconds = {} as Record<Kind, number>;
    for (const k of KINDS) cpuSeconds[k] = median(present.map((r) => r.cpuMs[k] / 1000));
    const allCpu = (r: ConfigRun) => KINDS.reduce((s, k) => s + r.cpuMs[k], 0);
    const paced = present.flatMap((r) => (r.paced ? [r.paced] : []));
    return {
      config,
      perRound,
      median: median(perRound),
      ratios,
      medianRatio: median(ratios),
      cpuSeconds,
      cpuMsPerLifecycle: median(present.map((r) => allCpu(r) / r.saturated.tasks)),
      leaderMsPerLifecycle: median(present.map((r) => r.cpuMs.orchestrator / r.saturated.tasks)),
      dispatch: paced.length
        ? { p50: median(paced.map((p) => p.p50Ms)), p99: median(paced.map((p) => p.p99Ms)) }
        : undefined,
      load: present.map((r) => r.load),
    };
  });
}

const slash = (xs: number[], digits?: number) => xs.map((x) => fmt(x, digits)).join(" / ");

function slotsOf(runs: readonly ConfigRun[], id: string): string {
  const slots = runs.find((r) => r.config === id)?.slots ?? [];
  return slots.every((s) => s === slots[0]) ? `${slots.length} × ${slots[0]}` : slots.join(" + ");
}

export function renderScaleReport(r: ScaleReport): string {
  const o = r.options;
  const summaries = summarize(r.runs, o.configs, o.rounds);
  const out = [
    "# infinite-agents scale-out benchmark",
    "",
    `Machine: ${r.machine.cores} cores (${r.machine.cpu}), Node ${r.machine.node}, nats-server ${r.machine.natsServer}.`,
    `Run: ${o.tasks} submissions (count 1: a generator + its critic task) at once per configuration and round, ` +
      (o.paced ? `then ${o.pacedTasks} paced at ${o.pace} × that rate (dispatch latency), ` : "") +
      `${o.rounds} rounds (configurations interleaved), warm-up ${o.warmup}, ` +
      `${o.split ? `${o.concurrency} worker slots shared by the workers` : `${o.concurrency} slots per worker process`}; ` +
      `every actor its own \`agents\` process (echo executor${o.echoDelayMs ? ` holding each slot ${o.echoDelayMs} ms` : ""}, ` +
      "LOG_LEVEL=info), no gateway or projections; " +
      `${fmt(r.elapsedMs / 1000, 0)} s in all; load average ${fmt(r.machine.load[0], 1)} at the start, ` +
      `${fmt(r.machine.load[1], 1)} at the end.`,
    "",
    "## Lifecycles/s",
    "",
    table(
      [
        "configuration",
        "worker slots",
        "lifecycles/s per round",
        "median",
        `÷ ${BASELINE} per round (median)`,
      ],
      summaries.map((s) => [
        s.config.label,
        slotsOf(r.runs, s.config.id),
        slash(s.perRound),
        fmt(s.median),
        `${slash(s.ratios, 2)} (${fmt(s.medianRatio, 2)})`,
      ]),
    ),
    "",
    "## CPU in the saturated phase (median over rounds, seconds) and load",
    "",
    "One orchestrator leads at a time, so 1 core ÷ the leader's CPU per lifecycle bounds lifecycles/s " +
      "however many workers run (at this machine's per-lifecycle cost, which load inflates).",
    "",
    table(
      [
        "configuration",
        ...KINDS.map((k) => `${k} s`),
        "all, ms per lifecycle",
        "leader ms per lifecycle (1 core ÷ it)",
        o.paced ? `dispatch p50 / p99 ms at ${o.pace} × (median)` : "dispatch",
        "load average start → end, per round",
      ],
      summaries.map((s) => [
        s.config.label,
        ...KINDS.map((k) => (k === "standby" && !s.config.standby ? "—" : fmt(s.cpuSeconds[k], 2))),
        fmt(s.cpuMsPerLifecycle, 1),
        `${fmt(s.leaderMsPerLifecycle, 1)} (${fmt(1000 / s.leaderMsPerLifecycle)}/s)`,
        s.dispatch ? `${fmt(s.dispatch.p50, 1)} / ${fmt(s.dispatch.p99, 1)}` : "—",
        s.load.map(([a, b]) => `${fmt(a, 1)} → ${fmt(b, 1)}`).join("; "),
      ]),
    ),
  ];
  const f = r.failover;
  if (f) {
    out.push(
      "",
      "## Failover: the leader SIGKILLed mid-run, a standby present (1 worker)",
      "",
      table(
        [
          "submissions",
          "completed at the kill",
          "kill → standby leads",
          "kill → next job.completed",
          "job.completed stored",
          "every submission completed once",
        ],
        [
          [
            String(f.tasks),
            String(f.completedBeforeKill),
            `${fmt(f.killToLeadingMs / 1000, 1)} s`,
            `${fmt(f.killToNextCompletedMs / 1000, 1)} s`,
            String(f.jobCompletedEvents),
            f.jobCompletedEvents === f.tasks && f.standbyLeads ? "yes" : "NO",
          ],
        ],
      ),
    );
  }
  return `${out.join("\n")}\n`;
}
