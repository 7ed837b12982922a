// One `agents up` per data folder and per gateway port, found before anything starts. A second
// `npm start` used to join the first stack's NATS, start a standby orchestrator and a worker, and
// only then fail on the port; now it reads the first one's lock file (or finds its port taken) and
// says so, starting nothing.
import { readFileSync } from "node:fs";
import { mkdir, open, readFile, rm } from "node:fs/promises";
import { connect as tcpConnect } from "node:net";
import { join, resolve } from "node:path";
import { z } from "zod";
import { AgentsError, ErrorCode } from "../core/errors.ts";

/** The lock file's content: who holds the folder, and where it answers. */
const Holder = z.object({
  pid: z.number().int().positive(),
  started_at: z.string(),
  gateway: z.string(),
  nats: z.string(),
});
type Holder = z.infer<typeof Holder>;

/** `agents up` cannot start: another one holds the folder or the port. The message says what to do. */
export class AlreadyRunningError extends AgentsError {
  constructor(message: string) {
    super(ErrorCode.Unavailable, message);
  }
}

export type InstanceLock = { path: string; release(): Promise<void> };

/** Whether a process runs with this pid (a zombie does not count). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return true; // no /proc (not Linux): kill(0) is all there is
  }
}

/** A process's command line from /proc (Linux), or undefined. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return undefined;
  }
}

/** True when the pid is (still) an `agents up`: alive, and, where /proc tells, running `… up`. */
function isAgentsUp(pid: number): boolean {
  if (pid === process.pid || !isAlive(pid)) return false;
  const cmd = commandLine(pid);
  return cmd === undefined || /\bup\b/.test(cmd);
}

/**
 * Take `dataDir/agents-up.lock`, or throw AlreadyRunningError naming the `agents up` that holds it.
 * A lock left by an `agents up` that died without cleaning up (SIGKILL) is taken over.
 */
export async function lockDataDir(
  dataDir: string,
  holder: Omit<Holder, "pid" | "started_at">,
): Promise<InstanceLock> {
  await mkdir(dataDir, { recursive: true });
  const path = resolve(join(dataDir, "agents-up.lock"));
  const mine: Holder = { pid: process.pid, started_at: new Date().toISOString(), ...holder };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = await open(path, "wx");
      await file.writeFile(`${JSON.stringify(mine)}\n`);
      await file.close();
      return {
        path,
        release: async () => {
          // Only our own lock is removed (a successor may have taken a stale one over).
          const now = await readHolder(path);
          if (now?.pid === process.pid) await rm(path, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const other = await readHolder(path);
    if (other && isAgentsUp(other.pid))
      throw new AlreadyRunningError(
        `agents up is already running here (pid ${other.pid}, since ${other.started_at}; gateway ${other.gateway}, NATS ${other.nats}, data in ${dataDir}). ` +
          `Use that one, stop it (Ctrl-C in its terminal, or kill ${other.pid}), or give this one its own AGENTS_DATA_DIR, NATS_URL and AGENTS_PORT.`,
      );
    // Stale (its process is gone) or unreadable: remove it and try again.
    await rm(path, { force: true });
  }
  throw new AlreadyRunningError(`could not take the lock ${path}; remove it if no agents up runs`);
}

async function readHolder(path: string): Promise<Holder | undefined> {
  try {
    const parsed = Holder.safeParse(JSON.parse(await readFile(path, "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Whether something accepts TCP connections at host:port (within 1 s). */
export function listening(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = tcpConnect({ host, port });
    const end = (ok: boolean) => {
      s.destroy();
      done(ok);
    };
    s.setTimeout(1000, () => end(false));
    s.once("connect", () => end(true));
    s.once("error", () => end(false));
  });
}

/** The address to probe for a bind address (a wildcard is probed on loopback). */
function probeHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::" || host === "[::]") return "::1";
  return host.replace(/^\[|\]$/g, "");
}

/** Throw AlreadyRunningError when the gateway's port is taken, naming an infinite-agents gateway there. */
export async function ensurePortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const h = probeHost(host);
  if (!(await listening(h, port))) return;
  const url = `http://${h.includes(":") ? `[${h}]` : h}:${port}`;
  const health = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) })
    .then(async (r) => (await r.json()) as { executor?: unknown; nats?: { server?: unknown } })
    .catch(() => undefined);
  if (health && typeof health.executor === "string")
    throw new AlreadyRunningError(
      `AGENTS_PORT: ${port} is taken by an infinite-agents gateway at ${url} (executor ${health.executor}, NATS ${String(health.nats?.server ?? "?")}): ` +
        "is agents up already running? Use that one, stop it, or give this one its own AGENTS_PORT, NATS_URL and AGENTS_DATA_DIR.",
    );
  throw new AlreadyRunningError(
    `AGENTS_PORT: ${port} on ${h} is in use by another program; set AGENTS_PORT to a free port`,
  );
}
