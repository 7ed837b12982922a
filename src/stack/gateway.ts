// The gateway of a process, wired to its NATS connection, projections and the outputs bucket.
import type { Registry } from "prom-client";
import type { Config } from "../config/index.ts";
import { type RunningGateway, startGateway } from "../gateway/index.ts";
import { Artifacts } from "../nats/artifacts.ts";
import type { Connection } from "../nats/connection.ts";
import type { PinoLogger } from "../observability/logger.ts";
import { describeExecutor } from "./executor-kind.ts";
import type { RunningProjections } from "./projections.ts";

/**
 * Listen on AGENTS_HOST:AGENTS_PORT, serving `registry` on /metrics; refuses (ConfigError) a
 * non-local gateway without AGENTS_API_KEY.
 */
export async function gatewayFromConfig(
  nc: Connection,
  config: Config,
  log: PinoLogger,
  projections: RunningProjections,
  registry: Registry,
): Promise<RunningGateway> {
  return startGateway({
    registry,
    nc,
    config,
    log,
    queries: projections.store,
    projections: projections.runner,
    artifacts: await Artifacts.open(nc),
    storeKind: projections.kind,
    executor: describeExecutor(config),
  });
}
