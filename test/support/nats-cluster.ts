import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { freePort } from "./free-port.ts";
import { makeNatsTempDir, type NatsServerHandle, retryUntil, startNatsNode } from "./nats-server.ts";

/** A JetStream cluster of nats-server processes on loopback, owned by a test. */
export type NatsClusterHandle = {
  /** Client urls of every node, in node order. */
  readonly urls: string[];
  /** One handle per node: kill() / restart() simulate a node failure and its recovery. */
  readonly nodes: NatsServerHandle[];
  /** Resolves once the cluster has a JetStream meta leader (account info answers); fails after 60 s. */
  waitForJetStream(): Promise<void>;
  /** Stops every node and removes every node's folder. */
  stop(): Promise<void>;
};

const CLUSTER_NAME = "agents-test";
const JETSTREAM_READY_TIMEOUT_MS = 60_000;

/**
 * How long a test waits for the cluster to recover from a node loss. Leader election took 4.5 to 15 s
 * on an idle machine and longer on a loaded CI machine (a 15 s budget failed there), so the budget is
 * generous: these tests check that nothing is lost or doubled, not how fast the election is.
 */
export const FAILOVER = { timeoutMs: 60_000, intervalMs: 250 } as const;

type NodePorts = { client: number; cluster: number };

// Distinct free ports: the OS could hand out a just-closed port twice in a row.
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

// The nats-server config of node `index`, routing to every other node's cluster port.
function nodeConfig(index: number, all: NodePorts[], storeDir: string): string {
  const own = all[index];
  if (own === undefined) throw new Error(`no ports for node ${index}`);
  const routes = all
    .filter((_, i) => i !== index)
    .map((p) => `"nats-route://127.0.0.1:${p.cluster}"`)
    .join(", ");
  return [
    `server_name: n${index + 1}`,
    `listen: "127.0.0.1:${own.client}"`,
    `jetstream { store_dir: ${JSON.stringify(storeDir)} }`,
    `cluster { name: ${CLUSTER_NAME}, listen: "127.0.0.1:${own.cluster}", routes: [${routes}] }`,
    "",
  ].join("\n");
}

// Asks the cluster for JetStream account info, which only succeeds once a meta leader exists.
async function probeJetStream(urls: string[]): Promise<void> {
  const nc = await connect({ servers: urls, timeout: 2_000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 2_000 });
    await jsm.getAccountInfo();
  } finally {
    await nc.close();
  }
}

/** Starts `size` nats-server processes on loopback forming one JetStream cluster (each with its own dir). */
export async function startNatsCluster(size = 3): Promise<NatsClusterHandle> {
  if (size < 1) throw new Error(`cluster size must be at least 1, got ${size}`);
  const flat = await distinctFreePorts(size * 2);
  const ports: NodePorts[] = Array.from({ length: size }, (_, i) => ({
    client: flat[2 * i] ?? 0,
    cluster: flat[2 * i + 1] ?? 0,
  }));
  const dirs = await Promise.all(ports.map(() => makeNatsTempDir()));
  const specs = await Promise.all(
    dirs.map(async (dir, i) => {
      const configFile = join(dir, "nats-server.conf");
      await writeFile(configFile, nodeConfig(i, ports, join(dir, "store")));
      return { port: ports[i]?.client ?? 0, dir, args: ["-c", configFile] };
    }),
  );
  const started = await Promise.allSettled(specs.map((spec) => startNatsNode(spec)));
  const nodes = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  const failure = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure) {
    await stop();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    throw failure.reason;
  }
  const urls = nodes.map((node) => node.url);
  return {
    urls,
    nodes,
    stop,
    waitForJetStream: () =>
      retryUntil(() => probeJetStream(urls), { timeoutMs: JETSTREAM_READY_TIMEOUT_MS, intervalMs: 250 }),
  };
}
