// `agents orchestrator` and `agents worker`: one actor per process (the production layout).
import { Gauge } from "prom-client";
import { loadConfig } from "../../config/index.ts";
import { natsConnectOptions } from "../../nats/connect-options.ts";
import { connectNats, provisionTopology } from "../../nats/index.ts";
import { provisionOrAwait } from "../../nats/topology-access.ts";
import { createLogger } from "../../observability/logger.ts";
import { executorFromConfig, orchestratorFromConfig, workerFromConfig } from "../../stack/components.ts";
import { type MetricsServer, startMetricsServer } from "../../stack/metrics-server.ts";
import { runUntilSignal, type Stoppable } from "../run-until-signal.ts";

/** The metrics listener when AGENTS_METRICS_PORT is set, as a part to stop. */
async function metricsPart(
  port: number | undefined,
  component: string,
  register?: (m: MetricsServer) => void,
): Promise<Stoppable[]> {
  if (port === undefined) return [];
  const m = await startMetricsServer(port, component);
  register?.(m);
  return [{ name: "metrics", stop: m.stop }];
}

/** Run the orchestrator until a signal. */
export async function runOrchestrator(): Promise<void> {
  const config = loadConfig();
  const log = createLogger("orchestrator", config.LOG_LEVEL);
  const nc = await connectNats(config.NATS_URL, "agents-orchestrator", natsConnectOptions(config));
  // The orchestrator owns the topology: it creates and updates streams, consumers and buckets.
  await provisionTopology(nc, {
    workAckWaitMs: config.AGENTS_WORK_ACK_WAIT_MS,
    replicas: config.AGENTS_STREAM_REPLICAS,
  });
  const orchestrator = orchestratorFromConfig(nc, config, log);
  await orchestrator.start();
  log.info(
    { leading: orchestrator.leading },
    orchestrator.leading ? "orchestrator running" : "orchestrator standing by",
  );
  await runUntilSignal(
    [
      { name: "nats", stop: () => nc.drain() },
      { name: "orchestrator", stop: () => orchestrator.stop() },
      ...(await metricsPart(config.AGENTS_METRICS_PORT, "orchestrator", (m) => {
        new Gauge({
          name: "agents_orchestrator_leading",
          help: "1 while this orchestrator holds the lease and consumes, 0 while it stands by",
          registers: [m.registry],
          collect() {
            this.set(orchestrator.leading ? 1 : 0);
          },
        });
      })),
    ],
    log,
  );
}

/** Run one worker process until a signal; SIGTERM returns its running tasks to the queue. */
export async function runWorker(): Promise<void> {
  const config = loadConfig();
  const log = createLogger("worker", config.LOG_LEVEL);
  const nc = await connectNats(config.NATS_URL, "agents-worker", natsConnectOptions(config));
  await provisionOrAwait(nc, {
    workAckWaitMs: config.AGENTS_WORK_ACK_WAIT_MS,
    replicas: config.AGENTS_STREAM_REPLICAS,
    log,
  });
  const worker = workerFromConfig(nc, config, log, executorFromConfig(config, log));
  await worker.start();
  await runUntilSignal(
    [
      { name: "nats", stop: () => nc.drain() },
      { name: "worker", stop: () => worker.stop() },
      ...(await metricsPart(config.AGENTS_METRICS_PORT, "worker")),
    ],
    log,
  );
}
