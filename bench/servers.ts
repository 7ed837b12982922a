// The servers a benchmark run owns: nats-server (the test harness's launcher) and redis-server for
// the BullMQ comparison, each on a free loopback port with its own temp folder, stopped afterwards.
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { freePort } from "../test/support/free-port.ts";

export { type NatsServerHandle, startNatsServer } from "../test/support/nats-server.ts";

export type RedisHandle = { host: string; port: number; pid: number; version: string; stop(): Promise<void> };

/** The redis-server binary (scripts/ensure-debian-tool.sh redis-server installs Debian's package). */
function redisBinary(): string {
  for (const p of ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"]) {
    try {
      execFileSync(p, ["--version"], { stdio: "ignore" });
      return p;
    } catch {}
  }
  return "redis-server";
}

/** Start redis-server on a free port, no persistence (`--save "" --appendonly no`), in a temp dir. */
export async function startRedis(): Promise<RedisHandle> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), "agents-bench-redis-"));
  const bin = redisBinary();
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  const child = spawn(bin, [...args, "--dir", dir, "--daemonize", "no", "--loglevel", "warning"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  const spawnFailed = new Promise<never>((_, reject) =>
    child.once("error", (e) =>
      reject(
        new Error(`cannot start redis-server (run scripts/ensure-debian-tool.sh redis-server): ${e.message}`),
      ),
    ),
  );
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  const stop = async () => {
    process.removeListener("exit", kill);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(5000).then(kill)]);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const version = await Promise.race([waitForRedis(port), spawnFailed]);
    return { host: "127.0.0.1", port, pid: child.pid ?? -1, version, stop };
  } catch (err) {
    await stop();
    throw new Error(`redis-server did not start: ${(err as Error).message}\n${stderr}`);
  }
}

async function waitForRedis(port: number): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 0 });
    r.on("error", () => undefined);
    try {
      await r.connect();
      const info = await r.info("server");
      return /redis_version:(\S+)/.exec(info)?.[1] ?? "unknown";
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(50);
    } finally {
      r.disconnect();
    }
  }
}

/** CPU time (user + system, ms) a process has used so far, from /proc; NaN where unreadable. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / clockTicks();
  } catch {
    return Number.NaN;
  }
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** The nats-server version string (e.g. "v2.9.10"). */
export function natsServerVersion(bin: string): string {
  try {
    return execFileSync(bin, ["--version"], { encoding: "utf8" })
      .trim()
      .replace(/^nats-server:\s*/, "");
  } catch {
    return "unknown";
  }
}
