import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./free-port.ts";
import { findNatsServer } from "./nats-binary.ts";

/** A nats-server process owned by a test; `pid` changes after `restart()`. */
export type NatsServerHandle = {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  readonly pid: number;
  /** SIGTERM, wait for exit (SIGKILL after 5 s), then remove `storeDir`. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit; keeps `storeDir` so `restart()` can resume from it. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and store dir (stopping it first if it runs). */
  restart(): Promise<void>;
  /** What the server wrote to stderr since it (last) started: its log, last 256 KiB. */
  logs(): string;
};

export type StartNatsServerOptions = {
  /** Enables JetStream (`-js -sd storeDir`). Default true. */
  jetstream?: boolean;
  /** Extra nats-server command-line arguments. */
  args?: string[];
  /** Environment added to this process's for the server (e.g. passwords a config refers to). */
  env?: Record<string, string>;
};

/** What to launch: `args` are the full nats-server arguments; `dir` is owned and removed on stop. */
export type NatsNodeSpec = { port: number; dir: string; args: string[]; env?: Record<string, string> };

const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;
const STDERR_KEEP_CHARS = 262_144;

// Live children and the temp folders not yet removed by `stop()`.
const liveChildren = new Set<ChildProcess>();
const ownedDirs = new Set<string>();

// Runs on exit and on SIGINT/SIGTERM (then re-raised) so a crashed test file leaves nothing behind.
function killAllSync(): void {
  for (const child of liveChildren) child.kill("SIGKILL");
  for (const dir of ownedDirs) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
process.on("exit", killAllSync);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killAllSync();
    process.kill(process.pid, signal);
  });
}

/** Creates a fresh temp folder (`agents-nats-*`) that is removed on process exit unless stopped earlier. */
export async function makeNatsTempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "agents-nats-"));
  ownedDirs.add(dir);
  return dir;
}

/** Calls `fn` until it resolves, waiting `intervalMs` between tries; rethrows the last error after `timeoutMs`. */
export async function retryUntil<T>(
  fn: () => Promise<T>,
  opts: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await sleep(opts.intervalMs ?? 100);
    }
  }
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

// Resolves once the child has exited (immediately if it already has).
function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

// Resolves when a TCP client on `port` receives the server's `INFO {...}` greeting line.
function readInfoLine(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: "127.0.0.1", port });
    let received = "";
    socket.setTimeout(1_000, () => socket.destroy(new Error("no INFO line within 1000 ms")));
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8");
      if (!received.includes("\n")) return;
      socket.destroy();
      if (received.startsWith("INFO ")) resolve();
      else reject(new Error(`unexpected greeting: ${received.slice(0, 80)}`));
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error("connection closed before INFO")));
  });
}

// Spawns nats-server and waits until it greets clients; on failure the error carries its stderr.
async function launch(spec: NatsNodeSpec): Promise<{ child: ChildProcess; stderr: () => string }> {
  const child = spawn(findNatsServer(), spec.args, {
    stdio: ["ignore", "ignore", "pipe"],
    ...(spec.env ? { env: { ...process.env, ...spec.env } } : {}),
  });
  liveChildren.add(child);
  child.once("exit", () => liveChildren.delete(child));
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-STDERR_KEEP_CHARS);
  });
  let spawnError: Error | undefined;
  child.once("error", (err) => {
    spawnError = err;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (spawnError) throw new Error(`cannot spawn nats-server: ${spawnError.message}`, { cause: spawnError });
    if (hasExited(child)) {
      const how = child.signalCode ? `signal ${child.signalCode}` : `exit code ${child.exitCode}`;
      throw new Error(`nats-server exited during startup (${how}); stderr:\n${stderr}`);
    }
    try {
      await readInfoLine(spec.port);
      return { child, stderr: () => stderr };
    } catch (err) {
      lastError = err;
      await sleep(50);
    }
  }
  await signalAndWait(child, "SIGKILL");
  throw new Error(
    `nats-server not ready on port ${spec.port} after ${READY_TIMEOUT_MS} ms; stderr:\n${stderr}`,
    { cause: lastError },
  );
}

// Sends `signal` and waits for the exit; a SIGTERM escalates to SIGKILL after the grace period.
async function signalAndWait(child: ChildProcess, signal: "SIGTERM" | "SIGKILL"): Promise<void> {
  if (hasExited(child)) return;
  child.kill(signal);
  if (await waitForExit(child, STOP_GRACE_MS)) return;
  child.kill("SIGKILL");
  await waitForExit(child, STOP_GRACE_MS);
}

/** Launches a nats-server from a full spec; the building block for single servers and cluster nodes. */
export async function startNatsNode(spec: NatsNodeSpec): Promise<NatsServerHandle> {
  ownedDirs.add(spec.dir);
  let { child, stderr } = await launch(spec);
  let stopped = false;
  return {
    url: `nats://127.0.0.1:${spec.port}`,
    port: spec.port,
    storeDir: spec.dir,
    get pid() {
      return child.pid ?? -1;
    },
    async stop() {
      stopped = true;
      await signalAndWait(child, "SIGTERM");
      await rm(spec.dir, { recursive: true, force: true });
      ownedDirs.delete(spec.dir);
    },
    kill: () => signalAndWait(child, "SIGKILL"),
    async restart() {
      if (stopped) throw new Error(`nats-server on port ${spec.port} was stopped; start a new one`);
      await signalAndWait(child, "SIGTERM");
      ({ child, stderr } = await launch(spec));
    },
    logs: () => stderr(),
  };
}

/** Starts one nats-server on a free loopback port with its own temp store dir (JetStream on by default). */
export async function startNatsServer(opts: StartNatsServerOptions = {}): Promise<NatsServerHandle> {
  const port = await freePort();
  const dir = await makeNatsTempDir();
  const args = ["-a", "127.0.0.1", "-p", String(port)];
  if (opts.jetstream ?? true) args.push("-js", "-sd", dir);
  args.push(...(opts.args ?? []));
  try {
    return await startNatsNode({ port, dir, args, ...(opts.env ? { env: opts.env } : {}) });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    ownedDirs.delete(dir);
    throw err;
  }
}
