// One configuration in one round: start its system, warm it up, then N submissions at once
// (lifecycles/s to the last job.completed, CPU per kind of process), then N paced (dispatch latency).
import { loadavg } from "node:os";
import { type PhaseResult, runPhase } from "../lifecycle.ts";
import { quantile } from "../stats.ts";
import { type ScaleConfig, type ScaleOptions, slotsPerWorker } from "./options.ts";
import { type CpuMs, cpuBetween, startScaleStack } from "./stack.ts";

export type ConfigRun = {
  config: string;
  round: number;
  /** AGENTS_WORKER_CONCURRENCY of each worker process. */
  slots: number[];
  lifecyclesPerSec: number;
  durationMs: number;
  /** CPU each kind of process used during the saturated phase (ms). */
  cpuMs: CpuMs;
  /** 1-minute load average before starting the processes and after stopping them. */
  load: [number, number];
  /** Dispatch (submit → the generator's task.started stored) at `pace` × the saturated rate. */
  paced?: { ratePerSec: number; p50Ms: number; p99Ms: number };
  saturated: PhaseResult;
};

const load1 = () => loadavg()[0] ?? Number.NaN;

export async function runConfig(o: ScaleOptions, config: ScaleConfig, round: number): Promise<ConfigRun> {
  const loadStart = load1();
  const run = await measure(o, config, round);
  return { ...run, load: [loadStart, load1()] };
}

async function measure(
  o: ScaleOptions,
  config: ScaleConfig,
  round: number,
): Promise<Omit<ConfigRun, "load">> {
  const slots = slotsPerWorker(o, config.workers);
  const label = `r${round}-${config.id}`;
  const s = await startScaleStack(config, slots, label, o.echoDelayMs);
  let failed = true;
  try {
    if (o.warmup > 0) await runPhase(s, { label: `${label}-warm`, tasks: o.warmup });
    const before = s.cpu();
    const saturated = await runPhase(s, { label: `${label}-sat`, tasks: o.tasks });
    const cpuMs = cpuBetween(before, s.cpu());
    let paced: ConfigRun["paced"];
    if (o.paced) {
      const ratePerSec = saturated.lifecyclesPerSec * o.pace;
      const p = await runPhase(s, { label: `${label}-paced`, tasks: o.pacedTasks, ratePerSec });
      paced = { ratePerSec, p50Ms: quantile(p.dispatchMs, 0.5), p99Ms: quantile(p.dispatchMs, 0.99) };
    }
    failed = false;
    return {
      config: config.id,
      round,
      slots,
      lifecyclesPerSec: saturated.lifecyclesPerSec,
      durationMs: saturated.durationMs,
      cpuMs,
      ...(paced ? { paced } : {}),
      saturated,
    };
  } finally {
    await s.stop(failed);
  }
}
