// How tests start `agents …` as a process. Through tsx each start loads and transforms the whole
// TypeScript tree again (~3 s of CPU for an actor); the suite starts hundreds of actors and CLI
// commands on 2 shared cores. So the CLI is bundled once with esbuild (the transformer tsx uses)
// into a folder named by a hash of the sources: an edit to src/ makes a new bundle, a stale one is
// never run. AGENTS_TEST_TSX=1 runs the sources through tsx instead, as `bin/agents.js` does (and
// test/cli/bin.e2e.spec.ts always does).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Under node_modules: ignored by git and biome, removed with the dependencies. */
export const BUNDLES_DIR = join(ROOT, "node_modules", ".cache", "agents-test-bundles");
const BUILD_SCRIPT = fileURLToPath(new URL("./build-cli-bundle.ts", import.meta.url));
/** What a bundle is made of: the CLI's sources and the fixture agent's. */
const SOURCES = ["src", "test/fixtures"];

/** Every file under `dir`, sorted (so the hash does not depend on the order readdir returns). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** A hash of the sources' paths and contents (plus the build script, which decides the output). */
function sourcesHash(): string {
  const h = createHash("sha256");
  for (const file of [BUILD_SCRIPT, ...SOURCES.flatMap((d) => filesUnder(join(ROOT, d)))]) {
    h.update(relative(ROOT, file));
    h.update("\0");
    h.update(readFileSync(file));
    h.update("\0");
  }
  return h.digest("hex").slice(0, 16);
}

let built: string | undefined;

/** The folder holding `main.js` (the CLI) and `fake-claude.mjs` for the current sources; builds it if missing. */
export function bundleDir(): string {
  if (built !== undefined) return built;
  const dir = join(BUNDLES_DIR, sourcesHash());
  // Synchronous (spawning an actor is): the build takes about a second, once per change to the sources.
  if (!existsSync(join(dir, "done")))
    execFileSync(process.execPath, ["--import", "tsx", BUILD_SCRIPT, dir], { stdio: "inherit" });
  built = dir;
  return dir;
}

/** Whether tests run the CLI from its sources through tsx (AGENTS_TEST_TSX=1) rather than the bundle. */
export function viaTsx(): boolean {
  return process.env.AGENTS_TEST_TSX === "1";
}

/** The node arguments that run `agents` (append the command and its arguments). */
export function agentsArgv(): string[] {
  return viaTsx() ? ["--import", "tsx", join(ROOT, "src/cli/main.ts")] : [join(bundleDir(), "main.js")];
}

/** The fake Claude CLI to put in CLAUDE_COMMAND: bundled to plain JavaScript, or through tsx. */
export function fakeClaudeCommand(): string {
  return viaTsx() ? join(ROOT, "test/fixtures/fake-claude.mjs") : join(bundleDir(), "fake-claude.mjs");
}
