// `agents gateway`: the gateway with its own projections, one process (the production layout).
import { loadConfig } from "../../config/index.ts";
import { natsConnectOptions } from "../../nats/connect-options.ts";
import { connectNats } from "../../nats/index.ts";
import { provisionOrAwait } from "../../nats/topology-access.ts";
import { createLogger } from "../../observability/logger.ts";
import { createRegistry } from "../../observability/registry.ts";
import { topologyFromConfig } from "../../stack/components.ts";
import { gatewayFromConfig } from "../../stack/gateway.ts";
import { startProjections } from "../../stack/projections.ts";
import { runUntilSignal } from "../run-until-signal.ts";

/** Run projections and the gateway until a signal. */
export async function runGateway(): Promise<void> {
  const config = loadConfig();
  const log = createLogger("gateway", config.LOG_LEVEL);
  const nc = await connectNats(config.NATS_URL, "agents-gateway", natsConnectOptions(config));
  await provisionOrAwait(nc, { ...topologyFromConfig(config), log });
  const registry = createRegistry({ component: "gateway" });
  const projections = await startProjections(nc, config, log.child({ part: "projections" }), registry);
  const gateway = await gatewayFromConfig(nc, config, log, projections, registry).catch(
    async (err: unknown) => {
      await projections.stop();
      await nc.close();
      throw err;
    },
  );
  process.stdout.write(`gateway listening on ${gateway.url} (projections: ${projections.kind})\n`);
  await runUntilSignal(
    [
      { name: "nats", stop: () => nc.drain() },
      { name: "projections", stop: projections.stop },
      { name: "gateway", stop: gateway.stop },
    ],
    log,
  );
}
