// One working folder per task attempt (BRIEF: the agent runs in its own folder), made only for
// executors that run a process there, and removed again when the agent left nothing in it.
import { mkdir, rmdir } from "node:fs/promises";
import { dirname, join } from "node:path";

export type Workdir = { path: string; release(): Promise<void> };

/** `<dataDir>/work/<task>/<attempt>`, created when `create` is true. */
export async function openWorkdir(
  dataDir: string,
  taskId: string,
  attempt: number,
  create: boolean,
): Promise<Workdir> {
  const path = join(dataDir, "work", taskId, String(attempt));
  if (!create) return { path, release: async () => undefined };
  await mkdir(path, { recursive: true });
  return {
    path,
    // rmdir refuses a folder with files in it: what an agent wrote is kept for the user.
    release: async () => {
      if (await removeIfEmpty(path)) await removeIfEmpty(dirname(path));
    },
  };
}

async function removeIfEmpty(path: string): Promise<boolean> {
  try {
    await rmdir(path);
    return true;
  } catch {
    return false;
  }
}
