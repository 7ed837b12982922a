// One configuration's system, as an operator runs it: its own nats-server (free port, temp store),
// then `agents orchestrator` (which provisions the topology), a standby `agents orchestrator` when
// asked, and N `agents worker` processes with the offline echo executor, each its own OS process.
// The bench process is only the submitter and the completion watcher.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectNats } from "../../src/nats/index.ts";
import { type Actor, cleanEnvironment, startActor, untilReady } from "../chaos/processes.ts";
import { eventTap } from "../event-tap.ts";
import type { PhaseStack } from "../lifecycle.ts";
import { NatsCounter } from "../nats-counter.ts";
import { processCpuMs, startNatsServer } from "../servers.ts";
import type { ScaleConfig } from "./options.ts";

/** Process start-up only (the bundle loads in about a second; the machine may be loaded). */
const READY_TIMEOUT_MS = 120_000;

/** The kinds of process CPU is reported for. */
export const KINDS = ["orchestrator", "standby", "workers", "nats-server", "bench"] as const;
export type Kind = (typeof KINDS)[number];
export type CpuMs = Record<Kind, number>;

export type ScaleStack = PhaseStack & {
  nc: NatsConnection;
  leader: Actor;
  standby: Actor | undefined;
  workers: Actor[];
  /** CPU used so far by each kind of process (ms; the bench process's own from process.cpuUsage). */
  cpu(): CpuMs;
  /** SIGKILL every actor, stop the server, remove the folder (kept, and said, when `keep`). */
  stop(keep?: boolean): Promise<void>;
};

/** Start the server and the actors, and wait until every actor says it leads, stands by or works. */
export async function startScaleStack(
  config: ScaleConfig,
  slots: number[],
  label: string,
  /** AGENTS_ECHO_DELAY_MS of the workers. */
  echoDelayMs: number,
): Promise<ScaleStack> {
  const dir = await mkdtemp(join(tmpdir(), `agents-bench-scale-${config.id}-`));
  const logDir = join(dir, "logs");
  await mkdir(logDir);
  const nats = await startNatsServer();
  const actors: Actor[] = [];
  let nc: NatsConnection | undefined;
  const stop = async (keep = false) => {
    await Promise.all(actors.map((a) => a.kill("SIGKILL")));
    await nc?.close().catch(() => undefined);
    await nats.stop();
    if (keep) process.stderr.write(`[bench:scale] logs kept in ${logDir}\n`);
    else await rm(dir, { recursive: true, force: true });
  };
  try {
    const env = {
      ...cleanEnvironment(),
      NATS_URL: nats.url,
      AGENTS_DATA_DIR: join(dir, "data"),
      AGENTS_EXECUTOR: "echo",
      AGENTS_ECHO_DELAY_MS: String(echoDelayMs),
      // The operator's default level: the ready lines ("orchestrator running", "worker started") are info.
      LOG_LEVEL: "info",
    };
    const start = (kind: "orchestrator" | "worker", name: string, extra: Record<string, string> = {}) => {
      const a = startActor(kind, `${label}-${name}`, { ...env, ...extra }, logDir);
      actors.push(a);
      return a;
    };
    // The first orchestrator provisions the topology and takes the lease; then the others at once.
    const leader = start("orchestrator", "orchestrator");
    await untilReady(leader, ["orchestrator running"], READY_TIMEOUT_MS);
    const standby = config.standby ? start("orchestrator", "standby") : undefined;
    const workers = slots.map((n, i) =>
      start("worker", `worker-${i + 1}`, { AGENTS_WORKER_CONCURRENCY: String(n) }),
    );
    await Promise.all([
      ...(standby ? [untilReady(standby, ["orchestrator standing by"], READY_TIMEOUT_MS)] : []),
      ...workers.map((w) => untilReady(w, ["worker started"], READY_TIMEOUT_MS)),
    ]);
    nc = await connectNats(nats.url, "bench-scale-submitter");
    const taps = eventTap(nc);
    const counters = { submitter: new NatsCounter(nc) };
    const sum = (xs: Actor[]) => xs.reduce((s, a) => s + processCpuMs(a.pid), 0);
    const conn = nc;
    return {
      nats,
      nc,
      js: jetstream(nc),
      jsm: await jetstreamManager(nc),
      tap: taps.tap,
      counters,
      leader,
      standby,
      workers,
      cpu: () => {
        const own = process.cpuUsage();
        return {
          orchestrator: processCpuMs(leader.pid),
          standby: standby ? processCpuMs(standby.pid) : 0,
          workers: sum(workers),
          "nats-server": processCpuMs(nats.pid),
          bench: (own.user + own.system) / 1000,
        };
      },
      stop: async (keep) => {
        taps.close();
        await conn.drain().catch(() => undefined);
        await stop(keep);
      },
    };
  } catch (err) {
    await stop(true);
    throw err;
  }
}

/** CPU used between two readings, per kind. */
export function cpuBetween(before: CpuMs, after: CpuMs): CpuMs {
  const out = {} as CpuMs;
  for (const k of KINDS) out[k] = after[k] - before[k];
  return out;
}
