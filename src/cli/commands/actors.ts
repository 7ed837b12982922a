// `agents orchestrator` and `agents worker`: one actor per process (the production layout).
import type { Registry } from "prom-client";
import { loadConfig } from "../../config/index.ts";
import { natsConnectOptions } from "../../nats/connect-options.ts";
import { connectNats, provisionTopology } from "../../nats/index.ts";
import { provisionOrAwait } from "../../nats/topology-access.ts";
import { createLogger } from "../../observability/logger.ts";
import { createRegistry } from "../../observability/registry.ts";
import {
  executorFromConfig,
  orchestratorFromConfig,
  submitResponderFromConfig,
  topologyFromConfig,
  workerFromConfig,
} from "../../stack/components.ts";
import { startMetricsServer } from "../../stack/metrics-server.ts";
import { runUntilSignal, type Stoppable } from "../run-until-signal.ts";
import { stackConfig } from "./stack-config.ts";

/** The metrics listener when AGENTS_METRICS_PORT is set, as a part to stop. */
async function metricsPart(port: number | undefined, registry: Registry): Promise<Stoppable[]> {
  if (port === undefined) return [];
  const m = await startMetricsServer(port, registry);
  return [{ name: "metrics", stop: m.stop }];
}

/** Run the orchestrator until a signal. */
export async function runOrchestrator(): Promise<void> {
  const config = loadConfig();
  const log = createLogger("orchestrator", config.LOG_LEVEL);
  const nc = await connectNats(config.NATS_URL, "agents-orchestrator", natsConnectOptions(config));
  // The orchestrator owns the topology: it creates and updates streams, consumers and buckets.
  await provisionTopology(nc, topologyFromConfig(config));
  const registry = createRegistry({ component: "orchestrator" });
  const orchestrator = orchestratorFromConfig(nc, config, log, registry);
  await orchestrator.start();
  log.info(
    { leading: orchestrator.leading },
    orchestrator.leading ? "orchestrator running" : "orchestrator standing by",
  );
  // Every orchestrator, leading or standing by, answers submission requests (one per request).
  const responder = submitResponderFromConfig(nc, config, log.child({ part: "submit-responder" }));
  await runUntilSignal(
    [
      { name: "nats", stop: () => nc.drain() },
      { name: "orchestrator", stop: () => orchestrator.stop() },
      { name: "submit-responder", stop: responder.stop },
      ...(await metricsPart(config.AGENTS_METRICS_PORT, registry)),
    ],
    log,
  );
}

/** Run one worker process until a signal; SIGTERM returns its running tasks to the queue. */
export async function runWorker(args: string[]): Promise<void> {
  const config = stackConfig(args, "usage: agents worker [--demo]");
  const log = createLogger("worker", config.LOG_LEVEL);
  const nc = await connectNats(config.NATS_URL, "agents-worker", natsConnectOptions(config));
  await provisionOrAwait(nc, { ...topologyFromConfig(config), log });
  const registry = createRegistry({ component: "worker" });
  const worker = workerFromConfig(nc, config, log, executorFromConfig(config, log), registry);
  await worker.start();
  await runUntilSignal(
    [
      { name: "nats", stop: () => nc.drain() },
      { name: "worker", stop: () => worker.stop() },
      ...(await metricsPart(config.AGENTS_METRICS_PORT, registry)),
    ],
    log,
  );
}
