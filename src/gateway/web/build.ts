// Build the dashboard bundle: web/src (Preact, uPlot) → web/dist with esbuild, which the project's
// own install brings (tsx needs it too). `npm start`, `npm test` and `npm run build` run it first
// (npm run build:web); the gateway runs it when the bundle is missing. Output is gitignored.
import { copyFile, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

/** web/ of this checkout (the same from src/ and from a dist/ build). */
export const WEB_ROOT = fileURLToPath(new URL("../../../web/", import.meta.url));
export const WEB_DIST = join(WEB_ROOT, "dist");

/** Files the gateway serves, by URL path, and where the build puts them. */
export const DASHBOARD_FILES = {
  "/": "index.html",
  "/assets/app.js": "assets/app.js",
  "/assets/app.css": "assets/app.css",
  "/assets/favicon.svg": "assets/favicon.svg",
} as const;

export type BuildReport = { outDir: string; bytes: Record<string, number>; ms: number };

/** True when every file of the bundle is in `dir`. */
export async function isBuilt(dir = WEB_DIST): Promise<boolean> {
  const found = await Promise.all(
    Object.values(DASHBOARD_FILES).map((f) =>
      stat(join(dir, f)).then(
        (s) => s.isFile(),
        () => false,
      ),
    ),
  );
  return found.every(Boolean);
}

/** Bundle (and minify, unless told not to) the dashboard into `outDir`, replacing what was there. */
export async function buildDashboard(outDir = WEB_DIST, o: { minify?: boolean } = {}): Promise<BuildReport> {
  const started = Date.now();
  // Loaded here only: serving a built bundle needs no bundler.
  const esbuild = await import("esbuild");
  // Built beside and moved into place, so a gateway reading the bundle never sees half of one.
  const tmp = `${outDir}.tmp-${process.pid}-${started}`;
  await mkdir(join(tmp, "assets"), { recursive: true });
  try {
    const result = await esbuild.build({
      entryPoints: { app: join(WEB_ROOT, "src", "main.tsx") },
      outdir: join(tmp, "assets"),
      bundle: true,
      minify: o.minify ?? true,
      format: "esm",
      target: "es2022",
      platform: "browser",
      jsx: "automatic",
      jsxImportSource: "preact",
      // Keep the libraries' licence notices, at the end of the bundle.
      legalComments: "eof",
      metafile: true,
      logLevel: "silent",
    });
    await copyFile(join(WEB_ROOT, "index.html"), join(tmp, "index.html"));
    await copyFile(join(WEB_ROOT, "favicon.svg"), join(tmp, "assets", "favicon.svg"));
    await rm(outDir, { recursive: true, force: true });
    // Another build may have finished first: its bundle is the same, keep it.
    await rename(tmp, outDir).catch(() => undefined);
    const bytes: Record<string, number> = {};
    for (const [file, out] of Object.entries(result.metafile.outputs))
      bytes[`assets/${basename(file)}`] = out.bytes;
    return { outDir, bytes, ms: Date.now() - started };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Newest modification time (ms) of the dashboard's sources: web/src, index.html, favicon. */
export async function sourcesChangedAt(): Promise<number> {
  const files = [join(WEB_ROOT, "index.html"), join(WEB_ROOT, "favicon.svg")];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(dir, e.name));
      else files.push(join(dir, e.name));
    }
  };
  await walk(join(WEB_ROOT, "src"));
  const times = await Promise.all(files.map((f) => stat(f).then((s) => s.mtimeMs)));
  return Math.max(...times);
}

/** Build unless the bundle is there and newer than every source (for tests run on their own). */
export async function ensureFreshDashboard(outDir = WEB_DIST): Promise<void> {
  const built = (await isBuilt(outDir))
    ? await stat(join(outDir, DASHBOARD_FILES["/assets/app.js"])).then((s) => s.mtimeMs)
    : 0;
  if (built < (await sourcesChangedAt())) await buildDashboard(outDir);
}
