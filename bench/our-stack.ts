// Our system in this process, built the way `agents up` builds it (src/stack/components.ts): the
// real orchestrator, one worker serving every queue with the offline echo executor, and the
// projections when available; each actor on its own connection, whose outgoing messages are counted.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { Registry } from "prom-client";
import type { Orchestrator } from "../src/actors/orchestrator/index.ts";
import type { Worker } from "../src/actors/worker/worker.ts";
import { loadConfig } from "../src/config/index.ts";
import { DEFAULT_PRICES } from "../src/core/providers/pricing.ts";
import { Route } from "../src/core/providers/routes.ts";
import { createEchoExecutor } from "../src/executors/index.ts";
import { connectNats, provisionTopology } from "../src/nats/index.ts";
import { listWorkerStatuses, openWorkerStatuses } from "../src/nats/worker-status.ts";
import { createLogger } from "../src/observability/logger.ts";
import { orchestratorFromConfig, workerFromConfig } from "../src/stack/components.ts";
import { cleanEnvironment, type Actor as ProcessActor, startActor } from "./chaos/processes.ts";
import { eventTap, type Seen } from "./event-tap.ts";
import { NatsCounter } from "./nats-counter.ts";
import { type BenchProjections, createProjections } from "./projections.ts";
import { type NatsServerHandle, processCpuMs } from "./servers.ts";

export const ACTORS = ["submitter", "orchestrator", "worker", "projections"] as const;
export type Actor = (typeof ACTORS)[number];

export type StackOptions = {
  /** Worker concurrency (AGENTS_WORKER_CONCURRENCY, max 1000). */
  concurrency: number;
  /** Echo executor delay per task (ms): 0 for throughput, long to hold tasks for the memory test. */
  echoDelayMs: number;
  logLevel: string;
  projections: boolean;
};

export type { Seen } from "./event-tap.ts";

/**
 * The same system with the worker in its own `agents worker` process (the production shape:
 * actors are separate processes), for `npm run bench -- --worker-process`: no worker object and no
 * worker message counter here; the worker's CPU is read from /proc around each phase.
 */
export type ApartStack = Omit<OurStack, "worker"> & {
  workerPid: number;
  /** CPU the worker process has used so far (ms). */
  cpuOfOthers(): number;
};

export type OurStack = {
  nats: NatsServerHandle;
  /** The submitter's connection (also used to read streams after a phase). */
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  counters: Record<Actor, NatsCounter | undefined>;
  orchestrator: Orchestrator;
  worker: Worker;
  projections: BenchProjections | undefined;
  /** Call `fn` for every event published on a subject filter (core NATS tap; no JetStream cost). */
  tap(filter: string, fn: (e: Seen) => void): Subscription;
  stop(): Promise<void>;
};

/** Provision the topology and start every actor against a running nats-server. */
export async function startOurStack(nats: NatsServerHandle, o: StackOptions): Promise<OurStack> {
  const { stack, worker } = await build(nats, o, false);
  if (!worker) throw new Error("no in-process worker");
  return { ...stack, worker };
}

/** As startOurStack, with the worker as its own `agents worker` process. */
export async function startOurStackWorkerApart(nats: NatsServerHandle, o: StackOptions): Promise<ApartStack> {
  const { stack, apart } = await build(nats, o, true);
  if (!apart) throw new Error("no worker process");
  return { ...stack, workerPid: apart.pid, cpuOfOthers: () => processCpuMs(apart.pid) };
}

async function build(
  nats: NatsServerHandle,
  o: StackOptions,
  workerApart: boolean,
): Promise<{ stack: Omit<OurStack, "worker">; worker?: Worker; apart?: ProcessActor }> {
  const dataDir = await mkdtemp(join(tmpdir(), "agents-bench-data-"));
  const config = loadConfig({
    NATS_URL: nats.url,
    AGENTS_DATA_DIR: dataDir,
    AGENTS_EXECUTOR: "echo",
    AGENTS_WORKER_CONCURRENCY: String(o.concurrency),
    LOG_LEVEL: o.logLevel,
  });
  const conns: NatsConnection[] = [];
  const counters = {} as Record<Actor, NatsCounter | undefined>;
  const open = async (actor: Actor) => {
    const c = await connectNats(nats.url, `bench-${actor}`);
    conns.push(c);
    counters[actor] = new NatsCounter(c);
    return c;
  };
  const nc = await open("submitter");
  await provisionTopology(nc, { workAckWaitMs: config.AGENTS_WORK_ACK_WAIT_MS });
  const log = (name: string) => createLogger(name, o.logLevel);
  const orchestrator = orchestratorFromConfig(
    await open("orchestrator"),
    config,
    log("orchestrator"),
    new Registry(),
    DEFAULT_PRICES,
  );
  const executor = createEchoExecutor({ delayMs: o.echoDelayMs });
  const executors = new Map(Route.options.map((r) => [r, executor] as const));
  const worker = workerApart
    ? undefined
    : workerFromConfig(await open("worker"), config, log("worker"), executors, new Registry());
  const apart = workerApart
    ? startActor("worker", "bench-worker", workerEnv(nats, o, dataDir), dataDir)
    : undefined;
  let projections: BenchProjections | undefined;
  if (o.projections) {
    const pc = await open("projections");
    projections = await createProjections(pc, log("projections"));
  }
  await orchestrator.start();
  await worker?.start();
  if (apart) await workerListed(nc, apart);
  await projections?.start();
  const taps = eventTap(nc);
  const stack = {
    nats,
    nc,
    js: jetstream(nc),
    jsm: await jetstreamManager(nc),
    counters,
    orchestrator,
    projections,
    tap: taps.tap,
    async stop() {
      taps.close();
      await withTimeout(orchestrator.stop(), 15_000, "orchestrator stop");
      await withTimeout(projections?.stop() ?? Promise.resolve(), 15_000, "projections stop");
      await withTimeout(worker?.stop() ?? Promise.resolve(), 30_000, "worker stop");
      await apart?.kill("SIGTERM", 30_000);
      for (const c of conns) await c.close().catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return { stack, ...(worker ? { worker } : {}), ...(apart ? { apart } : {}) };
}

/** Wait until the worker process has put its status (it is taking work), or fail when it exits. */
async function workerListed(nc: NatsConnection, worker: ProcessActor): Promise<void> {
  const kv = await openWorkerStatuses(nc);
  for (let i = 0; i < 1200; i++) {
    if (worker.gone) throw new Error(`the worker process exited while starting; see ${worker.logFile}`);
    if ((await listWorkerStatuses(nc, kv)).length > 0) return;
    await sleep(100);
  }
  throw new Error(`the worker process did not list itself within 120 s; see ${worker.logFile}`);
}

/** The worker process's environment: the in-process worker's settings (its log level too: no line per task). */
function workerEnv(nats: NatsServerHandle, o: StackOptions, dataDir: string): Record<string, string> {
  return {
    ...cleanEnvironment(),
    NATS_URL: nats.url,
    AGENTS_DATA_DIR: join(dataDir, "worker"),
    AGENTS_EXECUTOR: "echo",
    AGENTS_ECHO_DELAY_MS: String(o.echoDelayMs),
    AGENTS_WORKER_CONCURRENCY: String(o.concurrency),
    LOG_LEVEL: o.logLevel,
  };
}

/** Reject when a promise takes longer than `ms`; names what hung. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
