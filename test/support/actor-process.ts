// Actors as real subprocesses (`agents worker`, `agents orchestrator`, `agents gateway`), killed for
// real in tests.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { agentsArgv } from "./cli-bundle.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const live = new Set<ChildProcess>();
const killLive = () => {
  for (const c of live) c.kill("SIGKILL");
};
process.on("exit", killLive);
// The test runner ends a file that outlives its budget with SIGTERM, which skips "exit" handlers:
// without this its actors would live on (and use CPU) for the rest of the suite. The signal is
// raised again (the handler is gone by then) so the file still ends as it would have.
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    killLive();
    process.kill(process.pid, signal);
  });

export type ActorProcess = {
  readonly pid: number;
  /** Everything the process wrote to stderr (its logs), last 64 KiB. */
  logs(): string;
  /** Send a signal and wait for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<number | null>;
};

/** Spawn `agents <command> [args…]` (no shell) with the given environment added to this process's. */
export function spawnActor(
  command: "worker" | "orchestrator" | "gateway" | "up",
  env: Record<string, string>,
  args: string[] = [],
): ActorProcess {
  const child = spawn(process.execPath, [...agentsArgv(), command, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let logs = "";
  const keep = (d: Buffer) => {
    logs = (logs + d.toString()).slice(-65_536);
  };
  child.stderr?.on("data", keep);
  child.stdout?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      live.delete(child);
      resolve(code);
    });
  });
  return {
    pid: child.pid ?? -1,
    logs: () => logs,
    exited,
    kill: async (signal: NodeJS.Signals = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
