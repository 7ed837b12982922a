// Agents must not outlive their worker: on Linux, run them under `setpriv --pdeathsig KILL`, so the
// kernel kills the agent when the worker dies, even by SIGKILL (no handler of ours runs then).
import { existsSync } from "node:fs";
import { isOnPath } from "./which.ts";

const SETPRIV = "/usr/bin/setpriv";
const available = process.platform === "linux" && existsSync(SETPRIV);

/** The command line to spawn: wrapped in setpriv when it helps, unchanged otherwise. */
export function guardAgainstOrphans(command: string, args: readonly string[]): [string, string[]] {
  // A command that cannot be found is left unwrapped, so it still fails as a spawn error.
  if (!available || !isOnPath(command)) return [command, [...args]];
  return [SETPRIV, ["--pdeathsig", "KILL", "--", command, ...args]];
}
