// One working folder per task attempt (BRIEF: the agent runs in its own folder), made only for
// executors that run a process there. What the agent writes is kept as the task's artifacts (in the
// object store); the folder is then removed, unless some files could not be kept (over the bounds),
// which stay on the worker's disk for the operator.
import { mkdir, rm, rmdir } from "node:fs/promises";
import { dirname, join } from "node:path";

export type Workdir = {
  path: string;
  /** Remove the folder; with `keepFiles`, only when it is empty. */
  release(o?: { keepFiles?: boolean }): Promise<void>;
};

/** `<dataDir>/work/<task>/<attempt>`, created when `create` is true. */
export async function openWorkdir(
  dataDir: string,
  taskId: string,
  attempt: number,
  create: boolean,
): Promise<Workdir> {
  const path = join(dataDir, "work", taskId, String(attempt));
  // No folder: one shared no-op, not a closure per task (executors without a folder can run 1,000 at once).
  if (!create) return { path, release: nothingToRelease };
  await mkdir(path, { recursive: true });
  return {
    path,
    release: async (o = {}) => {
      if (o.keepFiles === false) await rm(path, { recursive: true, force: true });
      // rmdir refuses a folder with files in it: what could not be kept stays for the operator.
      else if (!(await removeIfEmpty(path))) return;
      await removeIfEmpty(dirname(path));
    },
  };
}

async function nothingToRelease(): Promise<void> {}

async function removeIfEmpty(path: string): Promise<boolean> {
  try {
    await rmdir(path);
    return true;
  } catch {
    return false;
  }
}
