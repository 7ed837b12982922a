// Projections for the lifecycle benchmark, when src/projections is ready: a ProjectionRunner over
// the embedded store. Loaded by a computed path so the benchmark still runs (without projections,
// and says so) while that module is missing or in the middle of a change.
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";

/** What the benchmark uses of a projection runner. */
export type BenchProjections = {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Apply everything in the stream now; resolves with the last sequence applied. */
  catchUp(timeoutMs?: number): Promise<number>;
};

type RunnerCtor = new (o: { nc: NatsConnection; store: unknown; log: Logger }) => BenchProjections;
type Loaded = { ProjectionRunner: RunnerCtor; createEmbeddedStore: () => unknown; from: string };

let cached: Promise<Loaded | string> | undefined;

// Try the public index first, then the two files that make it up.
async function load(): Promise<Loaded | string> {
  const tries = [
    ["../src/projections/index.ts", "../src/projections/index.ts"],
    ["../src/projections/runner.ts", "../src/projections/embedded/store.ts"],
  ] as const;
  const errors: string[] = [];
  for (const [runnerPath, storePath] of tries) {
    try {
      const runnerMod = (await import(new URL(runnerPath, import.meta.url).href)) as Record<string, unknown>;
      const storeMod = (await import(new URL(storePath, import.meta.url).href)) as Record<string, unknown>;
      const ProjectionRunner = runnerMod.ProjectionRunner;
      const createEmbeddedStore = storeMod.createEmbeddedStore;
      if (typeof ProjectionRunner === "function" && typeof createEmbeddedStore === "function") {
        return {
          ProjectionRunner: ProjectionRunner as RunnerCtor,
          createEmbeddedStore: createEmbeddedStore as () => unknown,
          from: runnerPath === storePath ? runnerPath : `${runnerPath} + ${storePath}`,
        };
      }
      errors.push(`${runnerPath}: no ProjectionRunner / createEmbeddedStore export`);
    } catch (err) {
      errors.push(`${runnerPath}: ${(err as Error).message.split("\n")[0]}`);
    }
  }
  return errors.join("; ");
}

/** Why projections are off, or undefined when they can run. */
export async function projectionsUnavailable(): Promise<string | undefined> {
  cached ??= load();
  const l = await cached;
  return typeof l === "string" ? l : undefined;
}

/** A projection runner over a fresh embedded store, or undefined when the module is not ready. */
export async function createProjections(
  nc: NatsConnection,
  log: Logger,
): Promise<BenchProjections | undefined> {
  cached ??= load();
  const l = await cached;
  if (typeof l === "string") return undefined;
  return new l.ProjectionRunner({ nc, store: l.createEmbeddedStore(), log });
}
