// Command-line options of `npm run bench:scale`, and the configurations it compares.
import { parseArgs } from "node:util";
import { positiveInt } from "../options.ts";

/** One system layout: how many worker processes, and whether a second orchestrator stands by. */
export type ScaleConfig = { id: string; label: string; workers: number; standby: boolean };

export const CONFIGS: readonly ScaleConfig[] = [
  { id: "w1", label: "1 orchestrator + 1 worker", workers: 1, standby: false },
  { id: "w2", label: "1 orchestrator + 2 workers", workers: 2, standby: false },
  { id: "w4", label: "1 orchestrator + 4 workers", workers: 4, standby: false },
  { id: "w1-standby", label: "1 worker + a standby orchestrator", workers: 1, standby: true },
];
/** What every other configuration is compared with, round by round. */
export const BASELINE = "w1";

export type ScaleOptions = {
  /** Submissions (count 1: a generator task + its critic task) per measured phase. */
  tasks: number;
  rounds: number;
  /** Unreported submissions before each configuration's measurements. */
  warmup: number;
  /** AGENTS_WORKER_CONCURRENCY of each worker process (or, with `split`, of all of them together). */
  concurrency: number;
  /** Divide `concurrency` among the workers instead of giving each worker that many slots. */
  split: boolean;
  /** AGENTS_ECHO_DELAY_MS: each task holds its slot this long, as a slow executor does (0: CPU only). */
  echoDelayMs: number;
  /** Fraction of the saturated rate the paced (latency) phase runs at. */
  pace: number;
  /** Submissions of the paced phase (at half the rate, half the count lasts as long as the saturated one). */
  pacedTasks: number;
  paced: boolean;
  /** After the rounds: SIGKILL the leader mid-run with a standby present, once. */
  failover: boolean;
  configs: ScaleConfig[];
  json: string | undefined;
};

export const HELP = `npm run bench:scale -- [options]
  --tasks N          submissions per phase, each a generator + its critic task (default 150)
  --rounds N         rounds; each runs every configuration once, ratios are paired per round (default 3)
  --warmup N         unreported warm-up submissions per configuration and round (default 50)
  --concurrency N    slots of each worker process (default 16)
  --split            share --concurrency among the workers instead (4 workers: N/4 each)
  --echo-delay-ms D  each task holds its slot D ms (a slow executor; default 0: CPU only)
  --pace F           paced phase at F × the saturated rate (default 0.5)
  --paced-tasks N    submissions of the paced phase (default: half of --tasks)
  --no-paced         skip the paced (dispatch latency) phases
  --no-failover      skip the failover run (SIGKILL the leader mid-run, a standby takes over)
  --configs a,b      among ${CONFIGS.map((c) => c.id).join(",")} (default all; ${BASELINE} is the baseline)
  --json FILE        also write every measurement as JSON`;

/** Parse argv (undefined for --help: the caller prints HELP). */
export function parseScaleOptions(argv: string[]): ScaleOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      tasks: { type: "string" },
      rounds: { type: "string" },
      warmup: { type: "string" },
      concurrency: { type: "string" },
      split: { type: "boolean" },
      "echo-delay-ms": { type: "string" },
      pace: { type: "string" },
      "paced-tasks": { type: "string" },
      "no-paced": { type: "boolean" },
      "no-failover": { type: "boolean" },
      configs: { type: "string" },
      json: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return undefined;
  const ids = (values.configs ?? CONFIGS.map((c) => c.id).join(",")).split(",").map((s) => s.trim());
  const configs = ids.map((id) => {
    const c = CONFIGS.find((k) => k.id === id);
    if (!c)
      throw new Error(`--configs: unknown configuration "${id}" (${CONFIGS.map((k) => k.id).join(", ")})`);
    return c;
  });
  const pace = values.pace === undefined ? 0.5 : Number(values.pace);
  if (!(pace > 0 && pace <= 1)) throw new Error(`--pace must be in (0, 1], got "${values.pace}"`);
  const concurrency = positiveInt("concurrency", values.concurrency, 16);
  const split = values.split === true;
  const most = Math.max(...configs.map((c) => c.workers));
  if (split && concurrency < most)
    throw new Error(`--split: --concurrency ${concurrency} cannot be shared among ${most} workers`);
  if (concurrency > 1000)
    throw new Error(`--concurrency must be ≤ 1000 (a worker's most), got ${concurrency}`);
  const tasks = positiveInt("tasks", values.tasks, 150);
  return {
    tasks,
    rounds: positiveInt("rounds", values.rounds, 3),
    warmup: positiveInt("warmup", values.warmup, 50, 0),
    concurrency,
    split,
    echoDelayMs: positiveInt("echo-delay-ms", values["echo-delay-ms"], 0, 0),
    pace,
    pacedTasks: positiveInt("paced-tasks", values["paced-tasks"], Math.max(1, Math.round(tasks / 2))),
    paced: values["no-paced"] !== true,
    failover: values["no-failover"] !== true,
    configs,
    json: values.json,
  };
}

/** Slots of each worker process of a configuration (the remainder of a split goes to the first ones). */
export function slotsPerWorker(o: Pick<ScaleOptions, "concurrency" | "split">, workers: number): number[] {
  if (!o.split) return Array.from({ length: workers }, () => o.concurrency);
  const each = Math.floor(o.concurrency / workers);
  const extra = o.concurrency % workers;
  return Array.from({ length: workers }, (_, i) => each + (i < extra ? 1 : 0));
}
