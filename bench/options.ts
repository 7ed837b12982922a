// Command-line options of `npm run bench`.
import { parseArgs } from "node:util";

export const PHASES = ["ours", "limit", "bullmq", "memory"] as const;
export type Phase = (typeof PHASES)[number];

export type BenchOptions = {
  /** Submissions (count 1 each: one generator task plus its critic task) per phase, and BullMQ jobs. */
  tasks: number;
  rounds: number;
  /** Worker concurrency of ours and of the BullMQ worker. */
  concurrency: number;
  /** Submissions (and BullMQ jobs) run before each round's measurements, not reported. */
  warmup: number;
  /** Messages per raw JetStream measurement. */
  limitMessages: number;
  /** Async publishes in flight for the raw JetStream measurement. */
  window: number;
  /** Long-running tasks held for the memory measurement. */
  memoryTasks: number;
  /** Fraction of the saturated rate the paced submitter runs at. */
  pace: number;
  paced: boolean;
  projections: boolean;
  /** Experiment: the worker in its own `agents worker` process (its CPU counted with ours). */
  workerProcess: boolean;
  logLevel: string;
  only: Phase[];
  json: string | undefined;
};

const HELP = `npm run bench -- [options]
  --tasks N           submissions per phase (each: a generator + its critic task); BullMQ jobs (default 300)
  --rounds N          rounds; ratios are paired per round (default 3)
  --concurrency N     worker concurrency, ours and BullMQ's (default 16)
  --warmup N          unreported warm-up submissions per round (default 50)
  --limit-messages N  messages per raw JetStream measurement (default 20000)
  --window N          async publishes in flight for the raw measurement (default 256)
  --memory-tasks N    long-running tasks held for the memory measurement (default 1000; 0 skips)
  --pace F            paced submitter at F × the saturated rate (default 0.5)
  --no-paced          skip the paced (latency) phases
  --no-projections    run ours without projections
  --worker-process    experiment: the worker as its own "agents worker" process (its CPU counted with ours)
  --log-level L       actors' log level (default warn)
  --only a,b          phases among ours,limit,bullmq,memory (default all)
  --json FILE         also write every measurement as JSON`;

/** An integer option of at least `min` (its default when absent); the error names the flag. */
export function positiveInt(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

/** Parse argv; prints help and exits on --help. */
export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      tasks: { type: "string" },
      rounds: { type: "string" },
      concurrency: { type: "string" },
      warmup: { type: "string" },
      "limit-messages": { type: "string" },
      window: { type: "string" },
      "memory-tasks": { type: "string" },
      pace: { type: "string" },
      "no-paced": { type: "boolean" },
      "no-projections": { type: "boolean" },
      "worker-process": { type: "boolean" },
      "log-level": { type: "string" },
      only: { type: "string" },
      json: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const only = (values.only ?? PHASES.join(",")).split(",").map((p) => p.trim());
  for (const p of only) {
    if (!PHASES.includes(p as Phase)) throw new Error(`--only: unknown phase "${p}" (${PHASES.join(", ")})`);
  }
  const pace = values.pace === undefined ? 0.5 : Number(values.pace);
  if (!(pace > 0 && pace <= 1)) throw new Error(`--pace must be in (0, 1], got "${values.pace}"`);
  return {
    tasks: positiveInt("tasks", values.tasks, 300),
    rounds: positiveInt("rounds", values.rounds, 3),
    concurrency: Math.min(1000, positiveInt("concurrency", values.concurrency, 16)),
    warmup: positiveInt("warmup", values.warmup, 50, 0),
    limitMessages: positiveInt("limit-messages", values["limit-messages"], 20_000),
    window: positiveInt("window", values.window, 256),
    memoryTasks: Math.min(1000, positiveInt("memory-tasks", values["memory-tasks"], 1000, 0)),
    pace,
    paced: !values["no-paced"],
    projections: !values["no-projections"],
    workerProcess: values["worker-process"] === true,
    logLevel: values["log-level"] ?? "warn",
    only: only as Phase[],
    json: values.json,
  };
}
