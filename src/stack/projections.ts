// The projections of a process: the store the configuration names (ArangoDB when ARANGO_URL is set,
// else the embedded in-memory store) and a runner following the stream into it.
import type { Registry } from "prom-client";
import type { Config } from "../config/index.ts";
import type { Connection } from "../nats/connection.ts";
import type { Logger } from "../observability/logger.ts";
import {
  createArangoStore,
  createEmbeddedStore,
  ProjectionRunner,
  type ProjectionStore,
} from "../projections/index.ts";

export type StoreKind = "embedded" | "arangodb";

export type RunningProjections = {
  kind: StoreKind;
  store: ProjectionStore;
  runner: ProjectionRunner;
  stop(): Promise<void>;
};

/** Open the configured store (ArangoDB when ARANGO_URL is set, else embedded). */
export async function storeFromConfig(config: Config): Promise<{ kind: StoreKind; store: ProjectionStore }> {
  if (!config.ARANGO_URL) return { kind: "embedded", store: createEmbeddedStore() };
  const store = await createArangoStore({
    url: config.ARANGO_URL,
    database: config.ARANGO_DATABASE,
    username: config.ARANGO_USERNAME,
    ...(config.ARANGO_PASSWORD ? { password: config.ARANGO_PASSWORD } : {}),
  });
  return { kind: "arangodb", store };
}

/** Open the store and follow the stream from its checkpoint (the embedded store starts at 1). */
export async function startProjections(
  nc: Connection,
  config: Config,
  log: Logger,
  registry?: Registry,
): Promise<RunningProjections> {
  const { kind, store } = await storeFromConfig(config);
  const runner = new ProjectionRunner({ nc, store, log, ...(registry ? { registry } : {}) });
  await runner.start();
  log.info({ store: kind, checkpoint: await store.checkpoint() }, "projections following the stream");
  return {
    kind,
    store,
    runner,
    stop: async () => {
      await runner.stop();
      await store.close();
    },
  };
}
