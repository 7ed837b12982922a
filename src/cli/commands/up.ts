// `agents up`: the whole local stack in one process tree on the embedded default: nats-server (when
// none answers), projections, orchestrator, a worker and the gateway. Ctrl-C stops them in reverse.
import { loadConfig } from "../../config/index.ts";
import { loadPrices } from "../../config/prices.ts";
import { natsConnectOptions } from "../../nats/connect-options.ts";
import { connectNats, provisionTopology } from "../../nats/index.ts";
import { createLogger } from "../../observability/logger.ts";
import { redactUrlCredentials } from "../../observability/redact.ts";
import { createRegistry } from "../../observability/registry.ts";
import { executorsFromConfig, orchestratorFromConfig, workerFromConfig } from "../../stack/components.ts";
import { gatewayFromConfig } from "../../stack/gateway.ts";
import { ensureLocalNats } from "../../stack/local-nats.ts";
import { startProjections } from "../../stack/projections.ts";
import { runUntilSignal, type Stoppable } from "../run-until-signal.ts";

/** Start everything, print where it answers, and run until SIGINT/SIGTERM. */
export async function runUp(): Promise<void> {
  const config = loadConfig();
  const log = createLogger("agents", config.LOG_LEVEL);
  const parts: Stoppable[] = [];
  try {
    const nats = await ensureLocalNats(config.NATS_URL, config.AGENTS_DATA_DIR);
    parts.push({ name: "nats-server", stop: nats.stop });
    const nc = await connectNats(config.NATS_URL, "agents-up", natsConnectOptions(config));
    parts.push({ name: "nats", stop: () => nc.drain() });
    await provisionTopology(nc, {
      workAckWaitMs: config.AGENTS_WORK_ACK_WAIT_MS,
      replicas: config.AGENTS_STREAM_REPLICAS,
    });
    // One registry for every part: the gateway's /metrics shows them all.
    const registry = createRegistry({ component: "up" });
    const projections = await startProjections(nc, config, log.child({ part: "projections" }), registry);
    parts.push({ name: "projections", stop: projections.stop });
    const prices = loadPrices(config.AGENTS_PRICES);
    const orchestrator = orchestratorFromConfig(
      nc,
      config,
      log.child({ actor: "orchestrator" }),
      registry,
      prices,
    );
    await orchestrator.start();
    parts.push({ name: "orchestrator", stop: () => orchestrator.stop() });
    const worker = workerFromConfig(
      nc,
      config,
      log.child({ actor: "worker" }),
      executorsFromConfig(config, log, prices),
      registry,
    );
    await worker.start();
    parts.push({ name: "worker", stop: () => worker.stop() });
    const gateway = await gatewayFromConfig(
      nc,
      config,
      log.child({ part: "gateway" }),
      projections,
      registry,
    );
    parts.push({ name: "gateway", stop: gateway.stop });
    const natsNote = nats.started
      ? ` (started here, data in ${config.AGENTS_DATA_DIR}/nats)`
      : " (already running)";
    process.stdout.write(
      [
        "infinite-agents is up",
        `  NATS:        ${redactUrlCredentials(config.NATS_URL)}${natsNote}`,
        `  projections: ${projections.kind}${projections.kind === "embedded" ? " (rebuilt from the stream at every start)" : ` (${redactUrlCredentials(config.ARANGO_URL ?? "")})`}`,
        `  dashboard:   ${gateway.url}/`,
        `  gateway:     ${gateway.url}   (API docs ${gateway.url}/docs, OpenAPI ${gateway.url}/openapi.json)`,
        `  events:      ${gateway.url}/v1/agents/events   metrics: ${gateway.url}/metrics`,
        '  submit:      agents submit spec.md --count 3   (or nats pub agents.submit \'{"spec":"…","count":3}\')',
        '  stop:        agents stop --reason …            (or nats pub agents.control.stop \'{"reason":"…"}\')',
        "  Ctrl-C stops everything.",
        "",
      ].join("\n"),
    );
  } catch (err) {
    // Whatever started before the failure is stopped again, last first, so nothing is left running.
    for (const p of [...parts].reverse()) await p.stop().catch(() => undefined);
    throw err;
  }
  await runUntilSignal(parts, log);
}
