// `agents up` as a real process on a test nats-server and a free port, plus the CLI as processes.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { StoredEvent } from "../../src/core/ports/event-store.ts";
import { StreamReader } from "../../src/nats/index.ts";
import { agentsArgv } from "../support/cli-bundle.ts";
import {
  type ActorProcess,
  FAKE_CLAUDE,
  freePort,
  type NatsServerHandle,
  retryUntil,
  spawnActor,
  startNatsServer,
} from "../support/index.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export type UpStack = {
  nats: NatsServerHandle;
  url: string;
  dir: string;
  env: Record<string, string>;
  up: ActorProcess;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** Call the gateway; `key` adds the bearer header. */
  api(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response>;
  events(filter?: string): Promise<StoredEvent[]>;
  /** Run `agents …` as a process against this stack. */
  cli(args: string[], env?: Record<string, string>): Promise<CliRun>;
  /** Start `agents …` and read its stdout while it runs (for commands that follow, like watch). */
  cliLive(args: string[]): { done: Promise<CliRun>; stdout: () => string };
  stop(): Promise<void>;
};

export type CliRun = { code: number | null; stdout: string; stderr: string };

/** Start `agents up` (fake Claude agent by default) and wait until its gateway answers /ready. */
export async function startUp(extra: Record<string, string> = {}, args: string[] = []): Promise<UpStack> {
  const nats = await startNatsServer();
  const dir = await mkdtemp(join(tmpdir(), "agents-e2e-"));
  const port = await freePort();
  const env: Record<string, string> = {
    NATS_URL: nats.url,
    AGENTS_PORT: String(port),
    AGENTS_DATA_DIR: join(dir, "data"),
    AGENTS_EXECUTOR: "claude",
    CLAUDE_COMMAND: FAKE_CLAUDE,
    FIXTURE_LOG: join(dir, "fixture.log"),
    FIXTURE_STATE_DIR: dir,
    // Agents get an allow-listed environment: the fixture agent's own settings are passed by name.
    AGENTS_AGENT_ENV: "FIXTURE_LOG,FIXTURE_STATE_DIR",
    AGENTS_WORK_ACK_WAIT_MS: "3000",
    AGENTS_RETRY_BASE_MS: "300",
    AGENTS_KILL_GRACE_MS: "1000",
    AGENTS_PROGRESS_EVERY_MS: "1000",
    // A restarted orchestrator takes over from a killed one after this long.
    AGENTS_ORCHESTRATOR_LEASE_MS: "1500",
    LOG_LEVEL: "warn",
    ...extra,
  };
  const up = spawnActor("up", env, args);
  const url = `http://127.0.0.1:${port}`;
  await retryUntil(
    async () => {
      if (up.logs().includes("agents: ")) throw new Error(`agents up failed:\n${up.logs()}`);
      const res = await fetch(`${url}/ready`);
      if (res.status !== 200) throw new Error(`/ready answered ${res.status}`);
    },
    // A slow start on a loaded machine (tsx compiling, nats-server, every route's work consumers).
    { timeoutMs: 90_000, intervalMs: 200 },
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}\nlogs:\n${up.logs()}`);
  });
  const nc = await connect({ servers: nats.url });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  return {
    nats,
    url,
    dir,
    env,
    up,
    nc,
    js,
    jsm,
    api: (method, path, body, headers = {}) =>
      fetch(`${url}${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    events: async (filter = "agents.>") => {
      const out: StoredEvent[] = [];
      for await (const e of new StreamReader(nc).readEvents(filter)) out.push(e);
      return out;
    },
    cli: (args, more = {}) => runCli(args, { ...env, ...more }),
    cliLive: (args) => {
      let seen = "";
      const done = runCli(args, env, undefined, (chunk) => {
        seen += chunk;
      });
      return { done, stdout: () => seen };
    },
    stop: async () => {
      await up.kill("SIGTERM");
      await nc.close();
      await nats.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Run the CLI (`agents …`, see support/cli-bundle.ts) and collect its output and exit code. */
export function runCli(
  args: string[],
  env: Record<string, string>,
  stdin?: string,
  onStdout?: (chunk: string) => void,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...agentsArgv(), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(d.toString());
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? "");
  });
}

/** Poll until `fn` returns a value, or throw after `timeoutMs`. */
export async function until<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
