// A gateway built by buildApp against a real nats-server and a real (embedded) projection store;
// optionally with an in-process orchestrator and worker running the offline echo executor.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import { type Config, loadConfig } from "../../src/config/index.ts";
import type { StoredEvent } from "../../src/core/ports/event-store.ts";
import { buildApp } from "../../src/gateway/index.ts";
import { Artifacts } from "../../src/nats/artifacts.ts";
import { provisionTopology, StreamReader } from "../../src/nats/index.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { createRegistry } from "../../src/observability/registry.ts";
import { createEmbeddedStore, ProjectionRunner, type ProjectionStore } from "../../src/projections/index.ts";
import { executorFromConfig, orchestratorFromConfig, workerFromConfig } from "../../src/stack/components.ts";
import { type NatsServerHandle, startNatsServer } from "../support/index.ts";

export type GatewayHarness = {
  nats: NatsServerHandle;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  app: FastifyInstance;
  store: ProjectionStore;
  runner: ProjectionRunner;
  config: Config;
  /** Every stored event matching a filter, in stream order. */
  events(filter?: string): Promise<StoredEvent[]>;
  /** Build another app on the same NATS and store with other settings (closed by stop()). */
  appWith(env: Record<string, string>): Promise<FastifyInstance>;
  stop(): Promise<void>;
};

export type HarnessOptions = { env?: Record<string, string>; actors?: boolean };

/** Start nats-server, projections and (optionally) actors, and build the app (not listening). */
export async function startGatewayHarness(o: HarnessOptions = {}): Promise<GatewayHarness> {
  const nats = await startNatsServer();
  const dir = await mkdtemp(join(tmpdir(), "agents-gw-"));
  const nc = await connect({ servers: nats.url });
  await provisionTopology(nc, { workAckWaitMs: 3000 });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const envFor = (extra: Record<string, string> = {}) => ({
    NATS_URL: nats.url,
    AGENTS_DATA_DIR: dir,
    AGENTS_EXECUTOR: "echo",
    LOG_LEVEL: "silent",
    AGENTS_WORK_ACK_WAIT_MS: "3000",
    ...o.env,
    ...extra,
  });
  const config = loadConfig(envFor());
  const log = createLogger("test", config.LOG_LEVEL);
  const store = createEmbeddedStore();
  // Shared by the projections, the actors and the first app, as in `agents up`.
  const registry = createRegistry();
  const runner = new ProjectionRunner({ nc, store, log, registry });
  await runner.start();
  const stops: Array<() => Promise<void>> = [];
  if (o.actors) {
    const orchestrator = orchestratorFromConfig(nc, config, log, registry);
    await orchestrator.start();
    const worker = workerFromConfig(nc, config, log, executorFromConfig(config, log), registry);
    await worker.start();
    stops.push(
      () => worker.stop(),
      () => orchestrator.stop(),
    );
  }
  const artifacts = await Artifacts.open(nc);
  const make = async (c: Config, shared?: Registry) => {
    const app = await buildApp({
      ...(shared ? { registry: shared } : {}),
      nc,
      queries: store,
      projections: runner,
      artifacts,
      config: c,
      log,
      storeKind: "embedded",
      executor: "echo",
      env: {},
    });
    stops.unshift(() => app.close());
    return app;
  };
  const app = await make(config, registry);
  return {
    nats,
    nc,
    js,
    jsm,
    app,
    store,
    runner,
    config,
    events: async (filter = "agents.>") => {
      const out: StoredEvent[] = [];
      for await (const e of new StreamReader(nc).readEvents(filter)) out.push(e);
      return out;
    },
    appWith: (env) => make(loadConfig(envFor(env))),
    stop: async () => {
      for (const s of stops) await s().catch(() => undefined);
      await runner.stop();
      await nc.close();
      await nats.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Poll `fn` until it returns a value (not undefined) or throw after `timeoutMs`. */
export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
