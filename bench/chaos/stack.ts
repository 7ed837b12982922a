// One scenario's system: nats-server (one, or a 3-node JetStream cluster on loopback), the topology,
// and actors started as OS processes running the chaos agent through the `command` executor, with
// the product's default timings (ack wait, lease, heartbeats), so the figures are what users get.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { loadConfig } from "../../src/config/index.ts";
import { connectNats, provisionTopology } from "../../src/nats/index.ts";
import { freePort } from "../../test/support/free-port.ts";
import { type NatsClusterHandle, startNatsCluster } from "../../test/support/nats-cluster.ts";
import { type NatsServerHandle, retryUntil, startNatsServer } from "../../test/support/nats-server.ts";
import { writeAgentProgram } from "./agent-program.ts";
import { Ledger } from "./ledger.ts";
import { type Actor, type ActorKind, cleanEnvironment, startActor, untilReady } from "./processes.ts";
import { Submitter } from "./submitter.ts";

/** The product's defaults (an empty environment), e.g. the work ack wait every actor provisions. */
export const DEFAULTS = loadConfig({});

/** How long an actor may take to start (tsx compiles on first use; the machine may be loaded). */
const READY_TIMEOUT_MS = 90_000;

export type StackOptions = {
  /** A 3-node JetStream cluster with every stream replicated 3 times, instead of one server. */
  cluster?: boolean;
  /** Environment every actor gets on top of the stack's own. */
  env?: Record<string, string>;
};

export type ChaosStack = {
  readonly dir: string;
  readonly logDir: string;
  /** CHAOS_STATE_DIR of the agents: runs.log, forked, fail-once markers. */
  readonly stateDir: string;
  readonly dataDir: string;
  readonly natsUrl: string;
  readonly nats: NatsServerHandle | undefined;
  readonly cluster: NatsClusterHandle | undefined;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly ledger: Ledger;
  readonly submitter: Submitter;
  readonly actors: Actor[];
  /** The environment an actor gets (the stack's, then `extra`). */
  env(extra?: Record<string, string>): Record<string, string>;
  /** Start an actor and wait until it says it runs (rejects with its log when it exits first). */
  start(kind: ActorKind, extra?: Record<string, string>): Promise<Actor>;
  /** Actors of a kind that have not exited. */
  alive(kind: ActorKind): Actor[];
  /** Stop everything; the folder is kept (and its path returned) when `keep`. */
  stop(keep: boolean): Promise<string | undefined>;
};

const READY_LINES: Record<ActorKind, string[]> = {
  worker: ["worker started"],
  orchestrator: ["orchestrator running", "orchestrator standing by"],
  gateway: ["gateway listening on"],
};

/** Start nats-server(s), provision the topology, and get ready to start actors. */
export async function startChaosStack(label: string, o: StackOptions = {}): Promise<ChaosStack> {
  const dir = await mkdtemp(join(tmpdir(), `agents-chaos-${label}-`));
  const logDir = join(dir, "logs");
  const stateDir = join(dir, "state");
  const dataDir = join(dir, "data");
  await Promise.all([logDir, stateDir, dataDir].map((d) => mkdir(d, { recursive: true })));
  const agent = await writeAgentProgram(dir);
  let nats: NatsServerHandle | undefined;
  let cluster: NatsClusterHandle | undefined;
  if (o.cluster) {
    cluster = await startNatsCluster(3);
    await cluster.waitForJetStream();
  } else nats = await startNatsServer();
  const natsUrl = cluster ? cluster.urls.join(",") : (nats?.url ?? "");
  const nc = await connectNats(natsUrl, `chaos-${label}`);
  const replicas = o.cluster ? 3 : 1;
  await retryUntil(
    () => provisionTopology(nc, { workAckWaitMs: DEFAULTS.AGENTS_WORK_ACK_WAIT_MS, replicas }),
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const actors: Actor[] = [];
  const counts: Record<ActorKind, number> = { orchestrator: 0, worker: 0, gateway: 0 };
  const base: Record<string, string> = {
    ...cleanEnvironment(),
    NATS_URL: natsUrl,
    AGENTS_DATA_DIR: dataDir,
    AGENTS_EXECUTOR: "command",
    AGENTS_COMMAND: `/bin/sh ${agent}`,
    // Every model routes to the command executor: the chaos agent stands in for all of them.
    AGENTS_MODEL_ROUTES: "*=command",
    AGENTS_AGENT_ENV: "CHAOS_STATE_DIR",
    CHAOS_STATE_DIR: stateDir,
    LOG_LEVEL: "info",
    ...o.env,
  };
  const env = (extra: Record<string, string> = {}) => ({ ...base, ...extra });
  const stack: ChaosStack = {
    dir,
    logDir,
    stateDir,
    dataDir,
    natsUrl,
    nats,
    cluster,
    nc,
    js,
    jsm,
    ledger: new Ledger(js, jsm),
    submitter: new Submitter(js, label),
    actors,
    env,
    async start(kind, extra = {}) {
      counts[kind]++;
      const actorEnv = env(extra);
      if (kind === "gateway" && !extra.AGENTS_PORT) actorEnv.AGENTS_PORT = String(await freePort());
      const a = startActor(kind, `${kind}-${counts[kind]}`, actorEnv, logDir);
      actors.push(a);
      await untilReady(a, READY_LINES[kind], READY_TIMEOUT_MS);
      return a;
    },
    alive: (kind) => actors.filter((a) => a.kind === kind && !a.gone),
    async stop(keep) {
      await Promise.all(actors.map((a) => a.kill("SIGKILL")));
      await nc.close().catch(() => undefined);
      await nats?.stop();
      await cluster?.stop();
      if (keep) return dir;
      await rm(dir, { recursive: true, force: true });
      return undefined;
    },
  };
  return stack;
}
