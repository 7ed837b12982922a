// Builds the bundles cli-bundle.ts runs into the folder named on the command line: `main.js` (the
// `agents` CLI, split at its lazy imports so a client command loads no actor code) and
// `fake-claude.mjs` (the fixture agent). Packages stay external, resolved from node_modules as
// they are for the sources. Each source's `import.meta.url` is replaced by its own file's URL, so
// paths the code finds relative to itself (the dashboard, the validation thread's entry) are the
// same as when it runs through tsx.
import { chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Older bundles are removed once a new one is built; one this young may still be in use by a running test. */
const KEEP_OLD_MS = 3_600_000;

const sourceUrls: esbuild.Plugin = {
  name: "source-import-meta-url",
  setup(build) {
    build.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return { contents: text.replaceAll("import.meta.url", url), loader: "ts" };
    });
  },
};

async function build(outDir: string): Promise<void> {
  // Built beside and moved into place, so a concurrent test never runs half a bundle.
  const tmp = `${outDir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const common: esbuild.BuildOptions = {
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "warning",
    plugins: [sourceUrls],
  };
  await esbuild.build({
    ...common,
    entryPoints: { main: join(ROOT, "src/cli/main.ts") },
    outdir: tmp,
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
  });
  await esbuild.build({
    ...common,
    entryPoints: [join(ROOT, "test/fixtures/fake-claude.ts")],
    outfile: join(tmp, "fake-claude.mjs"),
    banner: { js: "#!/usr/bin/env node" },
  });
  await chmod(join(tmp, "fake-claude.mjs"), 0o755);
  await writeFile(join(tmp, "done"), "");
  // Another test process may have built the same sources first: its bundle is the same, keep it.
  await rename(tmp, outDir).catch(() => rm(tmp, { recursive: true, force: true }));
  await removeOld(dirname(outDir), outDir);
}

async function removeOld(parent: string, keep: string): Promise<void> {
  for (const name of await readdir(parent)) {
    const dir = join(parent, name);
    if (dir === keep) continue;
    const { mtimeMs } = await stat(dir).catch(() => ({ mtimeMs: Date.now() }));
    if (Date.now() - mtimeMs > KEEP_OLD_MS) await rm(dir, { recursive: true, force: true });
  }
}

const outDir = process.argv[2];
if (outDir === undefined) throw new Error("usage: build-cli-bundle.ts OUT_DIR");
await build(outDir);
