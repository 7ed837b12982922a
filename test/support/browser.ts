// A real browser for the dashboard tests: Debian's Chromium driven by playwright-core (which brings
// no browser of its own), with a fresh profile per launch and the flags that keep it from dialling
// hosts this machine cannot reach. Every page records its console errors and uncaught exceptions,
// so a test can require that a view produced none.
import { execFileSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Where screenshots go (gitignored): test artifacts a person can look at. */
export const SCREENSHOTS = join(ROOT, "test-artifacts", "screenshots");

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Chromium's path, installing Debian's package with the project's script when it is missing. */
export function ensureChromium(): string {
  const ok = () => {
    try {
      accessSync(CHROMIUM, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (!ok())
    execFileSync("bash", [join(ROOT, "scripts", "ensure-debian-tool.sh"), "chromium"], { stdio: "inherit" });
  if (!ok()) throw new Error(`${CHROMIUM} is missing: bash scripts/ensure-debian-tool.sh chromium`);
  return CHROMIUM;
}

export type WatchedPage = {
  page: Page;
  /** Console errors and uncaught exceptions so far. */
  errors: string[];
};

export type Browser = {
  context: BrowserContext;
  /** A new tab whose console errors are recorded. */
  open(url: string): Promise<WatchedPage>;
  /** Save a screenshot as test-artifacts/screenshots/<name>.png. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
};

/** Launch Chromium with a fresh user-data dir. */
export async function launchBrowser(o: { width?: number; height?: number } = {}): Promise<Browser> {
  const executablePath = ensureChromium();
  const profile = await mkdtemp(join(tmpdir(), "agents-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: o.width ?? 1400, height: o.height ?? 900 },
  });
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    context,
    async open(url) {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(`console: ${m.text()}`);
      });
      page.on("pageerror", (e) => errors.push(`exception: ${e.message}`));
      await page.goto(url);
      return { page, errors };
    },
    async screenshot(page, name) {
      const path = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
