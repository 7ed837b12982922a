// The files an agent wrote in its task folder become the task's artifacts: each regular file goes to
// the object store (artifacts/<task>/<attempt>/<path>), within a count and a size bound, and is
// listed on the outcome event. Agents are untrusted: symbolic links and special files are never
// followed or read (a link could point at the worker's own secrets), names stay inside the folder.
import { constants } from "node:fs";
import { lstat, open, readdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { ArtifactKeys, type ArtifactStore } from "../../core/ports/artifact-store.ts";
import type { KeptArtifacts } from "../../core/worker/outcome.ts";

export type ArtifactLimits = {
  /** Files kept per run. */
  maxFiles: number;
  /** Bytes kept per run, all files together. */
  maxBytes: number;
};

/** A path is kept only if it is plain text of reasonable length (it is shown to people and used in URLs). */
function safeName(name: string): boolean {
  if (name.length === 0 || name.length > 512 || name.includes("\\")) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

/** Folders at most this deep are walked (a deeper tree is counted as skipped). */
const MAX_DEPTH = 16;

/** Store the folder's files; returns what was kept and how many were left out. */
export async function keepArtifacts(
  store: ArtifactStore,
  folder: string,
  taskId: string,
  attempt: number,
  limits: ArtifactLimits,
): Promise<KeptArtifacts> {
  const kept: KeptArtifacts = { entries: [], skipped: 0 };
  let bytes = 0;
  for await (const f of walk(folder, 0, kept)) {
    const name = relative(folder, f.path).split(sep).join("/");
    if (!safeName(name) || name.startsWith("../")) {
      kept.skipped++;
      continue;
    }
    if (kept.entries.length >= limits.maxFiles || bytes + f.size > limits.maxBytes) {
      kept.skipped++;
      continue;
    }
    const data = await readRegularFile(f.path, limits.maxBytes - bytes);
    if (!data) {
      kept.skipped++;
      continue;
    }
    const ref = ArtifactKeys.file(taskId, attempt, name);
    await store.putBytes(ref, data);
    bytes += data.byteLength;
    kept.entries.push({ name, ref, bytes: data.byteLength });
  }
  kept.entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return kept;
}

/** Regular files under `dir`, never through a symbolic link; anything else is counted as skipped. */
async function* walk(
  dir: string,
  depth: number,
  kept: KeptArtifacts,
): AsyncGenerator<{ path: string; size: number }> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, e.name);
    const st = await lstat(path).catch(() => undefined);
    if (!st) continue;
    if (st.isDirectory()) {
      if (depth >= MAX_DEPTH) kept.skipped++;
      else yield* walk(path, depth + 1, kept);
    } else if (st.isFile()) yield { path, size: st.size };
    else kept.skipped++;
  }
}

/**
 * A regular file's bytes, opened without following a link (O_NOFOLLOW) and checked on the open
 * handle, so a file swapped for a link after the walk is still never read through; undefined when
 * it is no regular file or larger than `max`.
 */
async function readRegularFile(path: string, max: number): Promise<Uint8Array | undefined> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => undefined);
  if (!fh) return undefined;
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.size > max) return undefined;
    const data = await fh.readFile();
    return data.byteLength <= max ? data : undefined;
  } finally {
    await fh.close();
  }
}
