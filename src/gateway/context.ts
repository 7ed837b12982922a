// What the gateway is built from (its dependencies) and what its route plugins share.
import type { JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Config } from "../config/index.ts";
import type { Artifacts } from "../nats/artifacts.ts";
import type { EventPublisher } from "../nats/index.ts";
import type { Logger } from "../observability/logger.ts";
import type { ProjectionQueries } from "../projections/store.ts";
import type { GatewayMetrics } from "./metrics.ts";
import type { SseClients } from "./sse.ts";

/** How far the projections are: a ProjectionRunner satisfies this. */
export type ProjectionFeed = {
  /** Stream messages not applied yet. */
  lag(): Promise<number>;
  /** Resolve once stream sequence `seq` is applied; reject after `timeoutMs`. */
  waitFor(seq: number, timeoutMs?: number): Promise<void>;
};

export type GatewayDeps = {
  nc: NatsConnection;
  queries: ProjectionQueries;
  projections: ProjectionFeed;
  artifacts: Artifacts;
  config: Config;
  log: Logger;
  /** Which store answers the queries (shown by /health). */
  storeKind: "embedded" | "arangodb";
  /** Environment read by /health for agent credentials (default process.env). */
  env?: NodeJS.ProcessEnv;
};

export type GatewayContext = {
  deps: GatewayDeps;
  publisher: EventPublisher;
  jsm(): Promise<JetStreamManager>;
  metrics: GatewayMetrics;
  sse: SseClients;
};
