// Agents, and everything they start, must not outlive their run or their worker.
// - Each agent leads a process group of its own (a new session), so one signal to the group reaches
//   every process it started (a shell's background jobs, a test runner's servers, a `sleep 40`).
// - A timeout or stop signals the whole group (SIGTERM with the agent, SIGKILL once the agent is gone).
// - When the agent exits, whatever it left running in its group is killed.
// - When the worker dies, even by SIGKILL (no handler of ours runs then): on Linux the agent runs under
//   `setpriv --pdeathsig KILL`, so the kernel kills the agent at once, and the worker's watchdog
//   (group-reaper.ts) kills the rest of the group when the worker's pipe to it closes.
import { existsSync } from "node:fs";
import { execa } from "execa";
import type { ExecutorRequest } from "../core/ports/executor.ts";
import { groupReaper } from "./group-reaper.ts";
import { processOptions } from "./process-errors.ts";
import { isOnPath } from "./which.ts";

const SETPRIV = "/usr/bin/setpriv";
const available = process.platform === "linux" && existsSync(SETPRIV);
// Process groups as used here (setsid, kill(-pgid)) are POSIX; Windows has no such thing.
const OWN_GROUP = process.platform !== "win32";

/** The command line to spawn: wrapped in setpriv when it helps, unchanged otherwise. */
export function guardAgainstOrphans(command: string, args: readonly string[]): [string, string[]] {
  // A command that cannot be found is left unwrapped, so it still fails as a spawn error.
  if (!available || !isOnPath(command)) return [command, [...args]];
  return [SETPRIV, ["--pdeathsig", "KILL", "--", command, ...args]];
}

/** Spawn an agent (see processOptions) as the leader of its own process group, guarded as above. */
export function spawnAgent(
  command: string,
  args: readonly string[],
  request: ExecutorRequest,
  env: Record<string, string>,
) {
  const [file, argv] = guardAgainstOrphans(command, args);
  const subprocess = execa(file, argv, { ...processOptions(request, env), detached: OWN_GROUP });
  const pgid = subprocess.pid;
  // No pid: it could not be spawned (execa reports why). Never group 0 or 1 (-1 means every process).
  if (!OWN_GROUP || pgid === undefined || pgid <= 1) return subprocess;
  const unwatch = groupReaper.watch(pgid);
  // execa signals the agent itself on timeout or abort; the same SIGTERM goes to its group.
  const terminate = () => signalGroup(pgid, "SIGTERM");
  const timer = setTimeout(terminate, request.timeoutMs);
  request.signal?.addEventListener("abort", terminate, { once: true });
  if (request.signal?.aborted) terminate();
  subprocess.once("exit", () => {
    clearTimeout(timer);
    request.signal?.removeEventListener("abort", terminate);
    // The agent is gone; nothing it started may stay (this also closes pipes a child kept open).
    signalGroup(pgid, "SIGKILL");
    unwatch();
  });
  return subprocess;
}

/** Signal every process of a group; a group that is already gone is fine. */
function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: nobody left in it.
  }
}
