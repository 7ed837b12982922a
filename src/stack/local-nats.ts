// `agents up` starts a nats-server of its own when none answers at NATS_URL (loopback only).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { connect as tcpConnect } from "node:net";
import { join, resolve } from "node:path";
import { natsAddress } from "../config/index.ts";
import { ConfigError } from "../core/errors.ts";
import { findNatsServer } from "./nats-binary.ts";

export type LocalNats = { url: string; started: boolean; stop(): Promise<void> };

/** Reuse a server answering at `url`, or start one there (loopback URLs only) storing in dataDir/nats. */
export async function ensureLocalNats(url: string, dataDir: string): Promise<LocalNats> {
  const first = (url.split(",")[0] ?? url).trim();
  const address = natsAddress(first);
  if (!address) throw new ConfigError(`NATS_URL: ${first} is not nats://HOST:PORT`);
  const { host, port } = address;
  if (await answers(host, port)) return { url, started: false, stop: async () => {} };
  if (!["127.0.0.1", "localhost", "::1"].includes(host)) {
    throw new Error(`no NATS server answers at ${url}, and only a loopback one can be started here`);
  }
  const storeDir = resolve(join(dataDir, "nats"));
  await mkdir(storeDir, { recursive: true });
  const child = spawn(findNatsServer(), ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", storeDir], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const deadline = Date.now() + 10_000;
  while (!(await answers("127.0.0.1", port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`nats-server did not start on port ${port}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, started: true, stop: () => stopChild(child) };
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

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolveStop) => {
    if (child.exitCode !== null) return resolveStop();
    const t = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(t);
      resolveStop();
    });
    child.kill("SIGTERM");
  });
}
