// The benchmark report: Markdown tables on stdout, ready to paste into docs/benchmarks.md.
import { cpus } from "node:os";
import type { PhaseResult } from "./lifecycle.ts";
import { memorySection, pick, ratioSection, roundTripSection } from "./report-costs.ts";
import type { BenchReport, Round } from "./report-types.ts";
import { fmt, quantile, table } from "./stats.ts";

export type { BenchReport, Round } from "./report-types.ts";

const p = (xs: number[] | undefined, q: number) => fmt(quantile(xs ?? [], q), 1);
function header(r: BenchReport): string {
  const o = r.options;
  return [
    "# infinite-agents lifecycle benchmark",
    "",
    `Machine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? "?"}), Node ${process.version}, ` +
      `nats-server ${r.machine.natsServer}, redis ${r.machine.redis ?? "(not run)"}, BullMQ 6.7.0.`,
    `Run: ${o.tasks} submissions (count 1: a generator task + its critic task) × ${o.rounds} rounds, ` +
      `worker concurrency ${o.concurrency} (ours and BullMQ), warm-up ${o.warmup}, paced at ${o.pace} × the ` +
      `saturated rate; projections ${r.machine.projections}; ${fmt(r.elapsedMs / 1000, 0)} s in all; ` +
      `load average ${fmt(r.machine.load[0], 1)} at the start, ${fmt(r.machine.load[1], 1)} at the end.` +
      (o.workerProcess
        ? " EXPERIMENT: the worker ran as its own `agents worker` process (its CPU is in ours; its messages are not counted)."
        : ""),
  ].join("\n");
}

function limitSection(rounds: Round[]): string {
  if (!rounds.some((r) => r.limit)) return "";
  const rows = rounds.map((r, i) => {
    const l = r.limit;
    if (!l) return [`${i + 1}`, "—", "—", "—", "—", "—"];
    const w = `${fmt(l.messagesPerLifecycle, 1)}${l.measured ? "" : " (assumed)"} × ${l.payloadBytes} B`;
    return [
      `${i + 1}`,
      fmt(l.publishPerSec),
      fmt(l.publishSerialPerSec),
      fmt(l.consumeAckPerSec),
      w,
      fmt(l.lifecyclesPerSec),
    ];
  });
  return [
    "## 1. The limit: raw JetStream on this machine",
    "",
    table(
      [
        "round",
        "publish/s (async, window)",
        "publish/s (one at a time)",
        "consume+ack/s",
        "messages per lifecycle",
        "best lifecycles/s",
      ],
      rows,
    ),
  ].join("\n");
}

function writesSection(rounds: Round[]): string {
  const sat = pick(rounds, (r) => r.ours?.saturated);
  const first = sat[0];
  if (!first) return "";
  const per = (f: (s: PhaseResult) => number) => fmt(quantile(sat.map(f), 0.5), 2);
  const types = Object.keys(first.byType).sort();
  const rows = types.map((t) => [`AGENTS: ${t}`, per((s) => (s.byType[t] ?? 0) / s.tasks)]);
  rows.push(["AGENTS_WORK: work items", per((s) => s.written.work / s.tasks)]);
  rows.push(["**events + work messages**", per((s) => (s.written.events + s.written.work) / s.tasks)]);
  rows.push(["object store messages (prompts, outputs)", per((s) => s.written.objects / s.tasks)]);
  rows.push(["average event size (bytes)", per((s) => s.written.eventBytes)]);
  return [
    "### Messages one lifecycle writes (measured from the streams; median of rounds)",
    "",
    table(["what", "per lifecycle"], rows),
  ].join("\n");
}

/** "p50 / p99" of a list, or "—" when there is none. */
function split(values: number[] | undefined): string {
  return values ? `${p(values, 0.5)} / ${p(values, 0.99)}` : "—";
}

function oursSection(rounds: Round[]): string {
  if (!rounds.some((r) => r.ours)) return "";
  const rows = rounds.map((r, i) => {
    const o = r.ours;
    if (!o) return [`${i + 1}`, "—"];
    const s = o.saturated;
    return [
      `${i + 1}`,
      fmt(s.lifecyclesPerSec),
      fmt(s.tasksPerSec),
      fmt(s.eventsPerSec),
      fmt(o.pacedRate),
      `${p(o.paced?.dispatchMs, 0.5)} / ${p(o.paced?.dispatchMs, 0.99)}`,
      split(o.paced?.dispatchSplit.toCreatedMs),
      split(o.paced?.dispatchSplit.toStartedMs),
      `${p(o.paced?.endToEndMs, 0.5)} / ${p(o.paced?.endToEndMs, 0.99)}`,
      `${p(s.dispatchMs, 0.5)} / ${p(s.dispatchMs, 0.99)}`,
      fmt(s.cpuMs / s.tasks, 1),
      fmt(s.natsCpuMs / s.tasks, 1),
      s.projectionsCatchUpMs === undefined ? "off" : fmt(s.projectionsCatchUpMs, 0),
    ];
  });
  const head = [
    "round",
    "lifecycles/s",
    "tasks/s (all)",
    "events/s",
    "paced at /s",
    "dispatch p50 / p99 ms (paced)",
    "of which submit→task.created p50 / p99 ms",
    "of which task.created→task.started p50 / p99 ms",
    "submit→job done p50 / p99 ms (paced)",
    "dispatch p50 / p99 ms (saturated)",
    "CPU ms / lifecycle (node)",
    "CPU ms / lifecycle (nats-server)",
    "projections caught up (ms after last job)",
  ];
  return ["## 2. Ours: orchestrator + worker (echo executor) in-process", "", table(head, rows)].join("\n");
}

function bullSection(rounds: Round[]): string {
  if (!rounds.some((r) => r.bull)) return "";
  const rows = rounds.map((r, i) => {
    const b = r.bull;
    if (!b) return [`${i + 1}`, "—"];
    const s = b.saturated;
    return [
      `${i + 1}`,
      fmt(s.jobsPerSec),
      `${p(b.pacedOwn?.addToStartMs, 0.5)} / ${p(b.pacedOwn?.addToStartMs, 0.99)}`,
      `${p(b.pacedOurs?.addToStartMs, 0.5)} / ${p(b.pacedOurs?.addToStartMs, 0.99)}`,
      fmt(s.cpuMs / s.jobs, 2),
      fmt(s.redisCpuMs / s.jobs, 2),
      `${fmt(s.commandsPerJob, 1)} (${Object.entries(s.commands)
        .map(([k, v]) => `${k} ${fmt(v, 2)}`)
        .join(", ")})`,
    ];
  });
  const head = [
    "round",
    "jobs/s",
    "add→start p50 / p99 ms (at 50% of its rate, ≥ 3 s of adds)",
    "add→start p50 / p99 ms (at our paced rate)",
    "CPU ms / job (node)",
    "CPU ms / job (redis)",
    "Redis commands / job",
  ];
  return ["## 3. The peer: BullMQ on a local Redis", "", table(head, rows)].join("\n");
}

/** Print the whole report to stdout. */
export function printReport(r: BenchReport): void {
  const parts = [
    header(r),
    limitSection(r.rounds),
    writesSection(r.rounds),
    oursSection(r.rounds),
    bullSection(r.rounds),
    ratioSection(r.rounds),
    memorySection(r),
    roundTripSection(r.rounds),
  ];
  console.log(parts.filter(Boolean).join("\n\n"));
}
