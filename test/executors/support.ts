// Helpers shared by the executor tests: fixture paths, scratch folders and the fake-claude run log.

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the fake Claude CLI fixture. */
export const fakeClaudePath = fileURLToPath(new URL("../fixtures/fake-claude.mjs", import.meta.url));

export type FixtureRun = { pid: number; prompt: string; args: string[]; cwd: string; startedAt: string };

/** A scratch folder with a run log and a state folder for fake-claude; `cleanup` removes it. */
export async function scratch(): Promise<{
  dir: string;
  log: string;
  runs(): Promise<FixtureRun[]>;
  cleanup(): Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), "executors-test-"));
  const log = join(dir, "runs.jsonl");
  return {
    dir,
    log,
    async runs() {
      const text = await readFile(log, "utf8").catch(() => "");
      return text
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as FixtureRun);
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Whether a process id is still alive (signal 0 probes without killing). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
