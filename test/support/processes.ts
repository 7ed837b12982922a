// Small helpers for tests that watch real processes.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";

/** State and process group of a pid from /proc (Linux), or undefined when it is gone or unreadable. */
function procStat(pid: number): { state: string; pgrp: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) S ppid pgrp …": comm may hold spaces and parentheses, so read after the last ")".
    const [state = "", , pgrp = ""] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state, pgrp: Number(pgrp) };
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid is running (signal 0 checks; a zombie, exited but unreaped, is not). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== "linux") return true;
  return procStat(pid)?.state !== "Z";
}

/** The pids of the running (not zombie) processes in a process group (Linux). */
export function groupMembers(pgid: number): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      const s = procStat(pid);
      return s !== undefined && s.pgrp === pgid && s.state !== "Z";
    });
}

/** The process group of a running pid (Linux), or undefined. */
export function groupOf(pid: number): number | undefined {
  return procStat(pid)?.pgrp;
}

/** Poll `check` every 50 ms until it holds; fail the test after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `still not true after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
