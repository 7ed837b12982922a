// `agents up` starts a nats-server of its own when none answers at NATS_URL (loopback only).
// - It dies with its parent, even when the parent is SIGKILLed (no handler of ours runs then): on
//   Linux it runs under `setpriv --pdeathsig TERM`, so the kernel asks it to shut down cleanly the
//   moment `agents up` is gone; elsewhere the process-group watchdog (group-reaper.ts) kills it.
// - It runs in a process group of its own, so Ctrl-C in the terminal reaches `agents up` only, which
//   stops the server last, after everything that uses it.
// - Its pid is kept in `AGENTS_DATA_DIR/nats/nats-server.pid`. One still running from an earlier
//   `agents up` that is gone (a stale server: it would otherwise be reused, never stopped, and told
//   "nats-server stopped" about) is found by that file, named, and stopped before ours starts.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { connect as tcpConnect } from "node:net";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { natsAddress } from "../config/index.ts";
import { ConfigError } from "../core/errors.ts";
import { groupReaper } from "../executors/group-reaper.ts";
import { commandLine, isAlive } from "./instance-lock.ts";
import { findNatsServer } from "./nats-binary.ts";

const SETPRIV = "/usr/bin/setpriv";
const LOOPBACK = ["127.0.0.1", "localhost", "::1"];

export type LocalNats = {
  url: string;
  /** True when this process started the server (and will stop it). */
  started: boolean;
  /** The server's pid when started here. */
  pid?: number;
  /** The pid of a stale server from an earlier `agents up` that was stopped first. */
  replacedStale?: number;
  stop(): Promise<void>;
};

/** The pid file of the server `agents up` runs on this data folder. */
export function natsPidFile(dataDir: string): string {
  return join(resolve(join(dataDir, "nats")), "nats-server.pid");
}

/**
 * A nats-server that an earlier `agents up` on this data folder started and left running: the pid
 * file names a live nats-server whose store is this folder. Call it only while holding the folder's
 * lock (instance-lock.ts): then no live `agents up` owns it.
 */
export async function staleServer(dataDir: string): Promise<number | undefined> {
  const pid = Number((await readFile(natsPidFile(dataDir), "utf8").catch(() => "")).trim());
  if (!Number.isInteger(pid) || pid <= 1 || !isAlive(pid)) return undefined;
  const cmd = commandLine(pid);
  if (cmd === undefined) return undefined;
  return cmd.includes("nats-server") && cmd.includes(resolve(join(dataDir, "nats"))) ? pid : undefined;
}

/** Reuse a server answering at `url`, or start one there (loopback URLs only) storing in dataDir/nats. */
export async function ensureLocalNats(url: string, dataDir: string): Promise<LocalNats> {
  const first = (url.split(",")[0] ?? url).trim();
  const address = natsAddress(first);
  if (!address) throw new ConfigError(`NATS_URL: ${first} is not nats://HOST:PORT`);
  const { host, port } = address;
  // A stale server of ours goes first, wherever it listens: two servers on one store would corrupt it.
  const stale = await staleServer(dataDir);
  if (stale !== undefined) await terminate(stale);
  if (await answers(host, port)) return { url, started: false, stop: async () => {} };
  if (!LOOPBACK.includes(host)) {
    throw new Error(`no NATS server answers at ${url}, and only a loopback one can be started here`);
  }
  const storeDir = resolve(join(dataDir, "nats"));
  await mkdir(storeDir, { recursive: true });
  const pidFile = natsPidFile(dataDir);
  const args = ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", storeDir, "-P", pidFile];
  const guarded = process.platform === "linux" && existsSync(SETPRIV);
  const [file, argv] = guarded
    ? [SETPRIV, ["--pdeathsig", "TERM", "--", findNatsServer(), ...args]]
    : [findNatsServer(), args];
  const child = spawn(file, argv, { stdio: ["ignore", "ignore", "pipe"], detached: true });
  const unwatch = !guarded && child.pid ? groupReaper.watch(child.pid) : () => {};
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const deadline = Date.now() + 10_000;
  while (!(await answers("127.0.0.1", port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      unwatch();
      throw new Error(`nats-server did not start on port ${port}: ${stderr}`);
    }
    await sleep(100);
  }
  return {
    url,
    started: true,
    ...(child.pid ? { pid: child.pid } : {}),
    ...(stale !== undefined ? { replacedStale: stale } : {}),
    stop: async () => {
      await stopChild(child);
      unwatch();
      await rm(pidFile, { force: true });
    },
  };
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolveAnswer) => {
    const s = tcpConnect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolveAnswer(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once("data", (d) => done(d.toString().startsWith("INFO")));
    s.once("error", () => done(false));
  });
}

/** SIGTERM a process we do not parent, then SIGKILL after 10 s; resolves once it is gone. */
async function terminate(pid: number): Promise<void> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(pid, s);
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  const deadline = Date.now() + 10_000;
  while (isAlive(pid)) {
    if (Date.now() > deadline) signal("SIGKILL");
    await sleep(100);
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolveStop) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolveStop();
    const t = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(t);
      resolveStop();
    });
    child.kill("SIGTERM");
  });
}
