// What the gateway is built from (its dependencies) and what its route plugins share.
import type { Registry } from "prom-client";
import type { Config } from "../config/index.ts";
import type { ArtifactStore } from "../core/ports/artifact-store.ts";
import type { Connection } from "../nats/connection.ts";
import type { JetStreamEventStore } from "../nats/event-store.ts";
import type { PinoLogger } from "../observability/logger.ts";
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
  nc: Connection;
  queries: ProjectionQueries;
  projections: ProjectionFeed;
  artifacts: ArtifactStore;
  config: Config;
  /** fastify logs through pino. */
  log: PinoLogger;
  /** Which store answers the queries (shown by /health). */
  storeKind: "embedded" | "arangodb";
  /** The executor tasks run with, in a few words (shown by /health): what the stack resolved. */
  executor: string;
  /** Environment read by /health for agent credentials (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The process's metrics registry, served on /metrics (default: one of the gateway's own). */
  registry?: Registry;
};

export type GatewayContext = {
  deps: GatewayDeps;
  /** Where submissions and control commands are appended, and the stream is read. */
  events: JetStreamEventStore;
  metrics: GatewayMetrics;
  sse: SseClients;
};
