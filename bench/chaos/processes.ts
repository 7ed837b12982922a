// Actors as real OS processes (`agents orchestrator | worker | gateway`, exactly what an operator
// runs), their logs in files and the number of lines they logged at each severity.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { agentsArgv } from "../../test/support/cli-bundle.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const live = new Set<ChildProcess>();
// Whatever happens to the suite, no actor it started outlives it.
process.on("exit", () => {
  for (const c of live) c.kill("SIGKILL");
});

export type ActorKind = "orchestrator" | "worker" | "gateway";

/** pino's numeric levels (≥ 50 is error). */
const ERROR_LEVEL = 50;
const WARN_LEVEL = 40;

/** Texts remembered from the first line on, so they can be asked about at any time. */
const WATCHED = [
  "worker started",
  "orchestrator running",
  "orchestrator standing by",
  "gateway listening on",
  "orchestrator state rebuilt; leading",
];

export type Actor = {
  readonly kind: ActorKind;
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Lines logged at error or fatal, and at warn, so far. */
  readonly errors: number;
  readonly warnings: number;
  /** The last error lines (message and a few fields), newest last. */
  readonly lastErrors: string[];
  /** Resolves with the exit code (null when killed by a signal) once the process has exited. */
  readonly exited: Promise<number | null>;
  /** Whether it has exited. */
  readonly gone: boolean;
  /** The first log line containing `text`: from now on, or before for the WATCHED texts. */
  logged(text: string): Promise<string>;
  /** Send a signal and wait for the exit (SIGKILL after `graceMs` if it has not gone by then). */
  kill(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
};

/** Start `agents <kind>` with exactly `env` (no shell), logging into `logDir/<name>.log`. */
export function startActor(
  kind: ActorKind,
  name: string,
  env: Record<string, string>,
  logDir: string,
): Actor {
  const child = spawn(process.execPath, [...agentsArgv(), kind], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  const logFile = join(logDir, `${name}.log`);
  const out: WriteStream = createWriteStream(logFile, { flags: "a" });
  let errors = 0;
  let warnings = 0;
  const lastErrors: string[] = [];
  // Texts waited for (and found): a log line containing one resolves its waiters, now or later.
  const found = new Map<string, string>();
  const waiters = new Map<string, Array<(line: string) => void>>();
  let rest = "";
  const onLine = (line: string) => {
    const level = levelOf(line);
    if (level >= ERROR_LEVEL) {
      errors++;
      lastErrors.push(line.slice(0, 400));
      if (lastErrors.length > 5) lastErrors.shift();
    } else if (level >= WARN_LEVEL) warnings++;
    for (const text of [...WATCHED, ...waiters.keys()]) {
      if (found.has(text) || !line.includes(text)) continue;
      found.set(text, line);
      for (const resolve of waiters.get(text) ?? []) resolve(line);
      waiters.delete(text);
    }
  };
  const feed = (chunk: Buffer) => {
    out.write(chunk);
    const lines = (rest + chunk.toString("utf8")).split("\n");
    rest = lines.pop() ?? "";
    for (const l of lines) onLine(l);
  };
  child.stdout?.on("data", feed);
  child.stderr?.on("data", feed);
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      live.delete(child);
      out.end();
      resolve(code);
    });
  });
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    kind,
    name,
    pid: child.pid ?? -1,
    logFile,
    get errors() {
      return errors;
    },
    get warnings() {
      return warnings;
    },
    lastErrors,
    exited,
    get gone() {
      return gone();
    },
    logged: (text) => {
      const line = found.get(text);
      if (line !== undefined) return Promise.resolve(line);
      return new Promise<string>((resolve) => waiters.set(text, [...(waiters.get(text) ?? []), resolve]));
    },
    kill: async (signal = "SIGTERM", graceMs = 30_000) => {
      if (gone()) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

// A JSON log line's level (pino), or 0 for anything else (a plain line printed by the CLI).
function levelOf(line: string): number {
  if (!line.startsWith("{")) return 0;
  const m = /"level":(\d+)/.exec(line);
  return m ? Number(m[1]) : 0;
}

/** This process's environment without anything that configures our system (so runs are repeatable). */
export function cleanEnvironment(): Record<string, string> {
  const ours = /^(AGENTS_|NATS_|ARANGO_|OPENAI_|CLAUDE_|ANTHROPIC_|LOG_LEVEL$)/;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !ours.test(k)) env[k] = v;
  return env;
}

/** Resolve when the actor logs one of `lines`; reject when it exits first or takes `timeoutMs`. */
export async function untilReady(a: Actor, lines: readonly string[], timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const failed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${a.name} not ready after ${timeoutMs} ms`)), timeoutMs);
    void a.exited.then((code) =>
      reject(new Error(`${a.name} exited (code ${code}) while starting; see ${a.logFile}`)),
    );
  });
  try {
    await Promise.race([...lines.map((l) => a.logged(l)), failed]);
  } finally {
    clearTimeout(timer);
  }
}
