// `npm run bench`: the JetStream limit, our lifecycle, and BullMQ on the same machine in one run,
// each round on fresh servers this process starts (and stops); prints a Markdown report.
import { writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { connect } from "@nats-io/transport-node";
import { findNatsServer } from "../test/support/nats-binary.ts";
import { type BullPhaseResult, runBullPhase } from "./bullmq.ts";
import { lifecyclesLimit, measureLimit } from "./jetstream-limit.ts";
import { type PhaseResult, runPhase } from "./lifecycle.ts";
import { measureMemory } from "./memory.ts";
import { type BenchOptions, parseOptions } from "./options.ts";
import { startOurStack, startOurStackWorkerApart } from "./our-stack.ts";
import { projectionsUnavailable } from "./projections.ts";
import { type BenchReport, printReport, type Round } from "./report.ts";
import { natsServerVersion, type RedisHandle, startNatsServer, startRedis } from "./servers.ts";
import { fmt, quantile } from "./stats.ts";

/** Messages one lifecycle writes when no run of ours measured it (the count seen in real runs). */
const ASSUMED_MESSAGES_PER_LIFECYCLE = 17;
const ASSUMED_EVENT_BYTES = 450;

const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);

async function oursAndLimit(o: BenchOptions, r: number, round: Round, projections: boolean): Promise<void> {
  const nats = await startNatsServer();
  try {
    if (o.only.includes("ours")) {
      const so = {
        concurrency: o.concurrency,
        echoDelayMs: 0,
        logLevel: o.logLevel,
        projections,
      };
      const s = o.workerProcess ? await startOurStackWorkerApart(nats, so) : await startOurStack(nats, so);
      try {
        if (o.warmup > 0) await runPhase(s, { label: `r${r}-warm`, tasks: o.warmup });
        const saturated = await runPhase(s, { label: `r${r}-sat`, tasks: o.tasks });
        say(
          `round ${r}: ours ${fmt(saturated.lifecyclesPerSec)} lifecycles/s (${fmt(saturated.tasksPerSec)} tasks/s)`,
        );
        const pacedRate = saturated.lifecyclesPerSec * o.pace;
        let paced: PhaseResult | undefined;
        if (o.paced) {
          paced = await runPhase(s, { label: `r${r}-paced`, tasks: o.tasks, ratePerSec: pacedRate });
          say(
            `round ${r}: ours paced at ${fmt(pacedRate)}/s: dispatch p50 ${fmt(quantile(paced.dispatchMs, 0.5))} ms`,
          );
        }
        round.ours = { saturated, pacedRate, ...(paced ? { paced } : {}) };
      } finally {
        await s.stop();
      }
    }
    if (o.only.includes("limit")) {
      const sat = round.ours?.saturated;
      const perLifecycle = sat
        ? (sat.written.events + sat.written.work) / sat.tasks
        : ASSUMED_MESSAGES_PER_LIFECYCLE;
      const payloadBytes = Math.round(sat?.written.eventBytes || ASSUMED_EVENT_BYTES);
      const nc = await connect({ servers: nats.url });
      try {
        const limit = await measureLimit(nc, { messages: o.limitMessages, payloadBytes, window: o.window });
        const lifecycles = lifecyclesLimit(limit, perLifecycle);
        round.limit = {
          ...limit,
          payloadBytes,
          messagesPerLifecycle: perLifecycle,
          measured: Boolean(sat),
          lifecyclesPerSec: lifecycles,
        };
        say(
          `round ${r}: limit ${fmt(limit.publishPerSec)} pub/s, ${fmt(limit.consumeAckPerSec)} consume+ack/s → ${fmt(lifecycles)} lifecycles/s`,
        );
      } finally {
        await nc.close();
      }
    }
  } finally {
    await nats.stop();
  }
}

async function bull(o: BenchOptions, r: number, round: Round, redis: RedisHandle): Promise<void> {
  const base = { concurrency: o.concurrency };
  if (o.warmup > 0) await runBullPhase(redis, { ...base, label: `r${r}-warm`, jobs: o.warmup });
  const saturated = await runBullPhase(redis, { ...base, label: `r${r}-sat`, jobs: o.tasks });
  say(`round ${r}: bullmq ${fmt(saturated.jobsPerSec)} jobs/s`);
  let pacedOwn: BullPhaseResult | undefined;
  let pacedOurs: BullPhaseResult | undefined;
  if (o.paced) {
    const own = saturated.jobsPerSec * o.pace;
    // N jobs at BullMQ's own pace last a fraction of a second: add at least 3 s of steady load.
    const jobs = Math.max(o.tasks, Math.ceil(own * 3));
    pacedOwn = await runBullPhase(redis, { ...base, label: `r${r}-paced`, jobs, ratePerSec: own });
    const oursRate = round.ours?.pacedRate;
    if (oursRate) {
      pacedOurs = await runBullPhase(redis, {
        ...base,
        label: `r${r}-same`,
        jobs: o.tasks,
        ratePerSec: oursRate,
      });
    }
  }
  round.bull = { saturated, ...(pacedOwn ? { pacedOwn } : {}), ...(pacedOurs ? { pacedOurs } : {}) };
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  const unavailable = o.projections ? await projectionsUnavailable() : "turned off (--no-projections)";
  if (unavailable) say(`projections off: ${unavailable}`);
  const redis = o.only.includes("bullmq") ? await startRedis() : undefined;
  const rounds: Round[] = [];
  try {
    // First, while the process is fresh: freed pages of earlier phases would blur RSS deltas.
    let memory: BenchReport["memory"];
    if (o.only.includes("memory") && o.memoryTasks > 0) {
      const nats = await startNatsServer();
      try {
        memory = await measureMemory(nats, {
          tasks: o.memoryTasks,
          logLevel: o.logLevel,
          projections: !unavailable,
        });
        say(`memory: ${fmt(memory.rssKbPerTask)} KB RSS per in-flight task`);
      } finally {
        await nats.stop();
      }
    }
    for (let r = 1; r <= o.rounds && (o.only.includes("ours") || o.only.includes("limit") || redis); r++) {
      const round: Round = {};
      if (o.only.includes("ours") || o.only.includes("limit")) await oursAndLimit(o, r, round, !unavailable);
      if (redis) await bull(o, r, round, redis);
      rounds.push(round);
    }
    const report: BenchReport = {
      options: o,
      machine: {
        natsServer: natsServerVersion(findNatsServer()),
        redis: redis?.version,
        projections: unavailable ? `off: ${unavailable}` : "on (ProjectionRunner + embedded store)",
        load: [loadAtStart, loadavg()[0] ?? Number.NaN],
      },
      rounds,
      memory,
      elapsedMs: Date.now() - started,
    };
    printReport(report);
    if (o.json) await writeFile(o.json, `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await redis?.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`[bench] failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
