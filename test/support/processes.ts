// Small helpers for tests that watch real processes.
import assert from "node:assert/strict";

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Poll `check` every 50 ms until it holds; fail the test after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `still not true after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
