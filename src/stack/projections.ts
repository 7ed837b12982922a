// The projections of a process: the store the configuration names (ArangoDB when ARANGO_URL is set,
// else the embedded in-memory store), a runner following the stream into it (an empty store starts
// from the newest snapshot) and the writer of its snapshots.
import type { Registry } from "prom-client";
import type { Config } from "../config/index.ts";
import { errorMessage } from "../core/errors.ts";
import { PROJECTION_SNAPSHOTS_BUCKET } from "../core/events/index.ts";
import type { Connection } from "../nats/connection.ts";
import { SnapshotBucket } from "../nats/fold-snapshots.ts";
import type { Logger } from "../observability/logger.ts";
import {
  createArangoStore,
  createEmbeddedStore,
  ProjectionRunner,
  type ProjectionStore,
} from "../projections/index.ts";
import { keepSnapshots } from "../projections/snapshot-writer.ts";
import { snapshotSettings } from "./components.ts";

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

/** The projections' snapshot bucket, or undefined (logged) when it cannot be opened: they work without. */
export async function projectionSnapshots(nc: Connection, log: Logger): Promise<SnapshotBucket | undefined> {
  try {
    return await SnapshotBucket.open(nc, PROJECTION_SNAPSHOTS_BUCKET);
  } catch (err) {
    log.warn({ err: errorMessage(err) }, "projection snapshots unavailable; folding from the stream");
    return undefined;
  }
}

/**
 * Open the store and follow the stream from its checkpoint (an empty store, as the embedded one is
 * at every start, first takes the newest snapshot), writing snapshots as configured.
 */
export async function startProjections(
  nc: Connection,
  config: Config,
  log: Logger,
  registry?: Registry,
): Promise<RunningProjections> {
  const { kind, store } = await storeFromConfig(config);
  const runner = new ProjectionRunner({
    nc,
    store,
    log,
    snapshots: await projectionSnapshots(nc, log),
    ...(registry ? { registry } : {}),
  });
  await runner.start();
  log.info({ store: kind, checkpoint: await store.checkpoint() }, "projections following the stream");
  const stopWriting = new AbortController();
  const writing = keepSnapshots(runner, snapshotSettings(config), log, stopWriting.signal);
  return {
    kind,
    store,
    runner,
    stop: async () => {
      stopWriting.abort();
      await writing;
      await runner.stop();
      await store.close();
    },
  };
}
