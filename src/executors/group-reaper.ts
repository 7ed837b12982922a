// Kills the process groups of running agents when their worker dies, however it dies. Each agent
// leads a process group of its own, so one signal reaches everything it started; but the kernel's
// parent-death signal (orphan-guard.ts) reaches only the agent itself, and a worker killed by SIGKILL
// runs no handler to signal the rest. So one small watchdog process per worker, in a session of its
// own (Ctrl-C or a signal to the worker's group does not reach it), holds the ids of the groups that
// are running and SIGKILLs them all the moment its stdin closes: the pipe from the worker, which the
// kernel closes when the worker ends, by exit, crash or SIGKILL. Then the watchdog exits too.
import { type ChildProcess, spawn } from "node:child_process";

// Plain JavaScript for `node -e`: no files to ship, no TypeScript loader needed. Lines on stdin are
// "+PGID" (watch) and "-PGID" (the group ended). Signals that would stop a worker are ignored, so the
// watchdog outlives the worker long enough to see its pipe close.
const WATCHDOG = `
"use strict";
const groups = new Set();
for (const s of ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"]) process.on(s, () => {});
let rest = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  const lines = (rest + chunk).split("\\n");
  rest = lines.pop();
  for (const line of lines) {
    const pgid = Number(line.slice(1));
    if (!Number.isInteger(pgid) || pgid <= 1) continue;
    if (line[0] === "+") groups.add(pgid);
    else groups.delete(pgid);
  }
});
const reap = () => {
  for (const g of groups) {
    try { process.kill(-g, "SIGKILL"); } catch {}
  }
  process.exit(0);
};
process.stdin.on("end", reap);
process.stdin.on("error", reap);
`;

/** The worker's end of the watchdog: started on first use, restarted (with every live group) if it dies. */
export class GroupReaper {
  private child: ChildProcess | undefined;
  private readonly groups = new Set<number>();

  /** Watch a process group until the returned function is called (when the group has been killed). */
  watch(pgid: number): () => void {
    this.groups.add(pgid);
    this.send(`+${pgid}`);
    return () => {
      if (this.groups.delete(pgid)) this.send(`-${pgid}`);
    };
  }

  private send(line: string): void {
    // A new watchdog is told every live group as it starts, this change included.
    if (this.child) this.child.stdin?.write(`${line}\n`);
    else this.start();
  }

  private start(): void {
    const child = spawn(process.execPath, ["-e", WATCHDOG], {
      detached: true,
      stdio: ["pipe", "ignore", "ignore"],
      // It needs nothing of the worker's environment (and NODE_OPTIONS could load a loader into it).
      env: {},
    });
    this.child = child;
    // Neither the watchdog nor its pipe keeps the worker running.
    child.unref();
    child.stdin?.on("error", () => undefined);
    (child.stdin as { unref?: () => void } | null)?.unref?.();
    child.once("exit", () => {
      if (this.child === child) this.child = undefined;
      // Someone killed it: a new one takes over the groups still running.
      if (this.groups.size > 0) this.start();
    });
    for (const g of this.groups) child.stdin?.write(`+${g}\n`);
  }
}

/** The one watchdog of this process. */
export const groupReaper = new GroupReaper();
