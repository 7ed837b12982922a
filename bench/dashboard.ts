// `npm run bench:dashboard`: how fast the dashboard shows 1,000 jobs, and whether it stays live while
// a 1,000-iteration job streams its events. Real `agents up` (offline echo executor), real Chromium
// (Debian's, through playwright-core), both on this machine; every figure is measured in the page
// (performance.now() from navigation start), against a baseline measured in the same run.
import { writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import type { Page } from "playwright-core";
import { jobIdFor } from "../src/core/ids.ts";
import { ensureFreshDashboard } from "../src/gateway/web/build.ts";
import { StreamReader } from "../src/nats/index.ts";
import { startUp, type UpStack } from "../test/e2e/support.ts";
import { type Browser, launchBrowser } from "../test/support/browser.ts";
import { fmt, quantile, spread, table } from "./stats.ts";

const say = (line: string) => process.stderr.write(`[bench:dashboard] ${line}\n`);

const { values: opts } = parseArgs({
  options: {
    jobs: { type: "string", default: "1000" },
    iterations: { type: "string", default: "1000" },
    repeats: { type: "string", default: "5" },
    out: { type: "string", default: ".bench-out/dashboard.json" },
    "list-only": { type: "boolean", default: false },
  },
});
const JOBS = Number(opts.jobs);
const ITERATIONS = Number(opts.iterations);
const REPEATS = Number(opts.repeats);

// What the functions run inside the page use of it (this file is type-checked for Node, not the DOM).
type El = { textContent: string | null; click(): void; getAttribute(name: string): string | null };
type PageGlobal = {
  document: { querySelectorAll(s: string): { length: number }; querySelector(s: string): El | null };
  requestAnimationFrame(cb: (t: number) => void): number;
  PerformanceObserver: new (
    cb: (list: { getEntries(): Array<{ duration: number }> }) => void,
  ) => { observe(o: { type: string; buffered: boolean }): void };
  __frames?: number[];
  __long?: number[];
};
type Win = PageGlobal;

/** Time (ms since navigation start) at which the jobs table holds `rows` rows after loading. */
async function timeToRows(browser: Browser, url: string, rows: number, loadAll: boolean): Promise<number> {
  const { page, errors } = await browser.open(url);
  const t = await page.evaluate(
    ({ rows, loadAll }) =>
      new Promise<number>((resolve) => {
        const w = globalThis as unknown as PageGlobal;
        const doc = w.document;
        let clickedAt = -1;
        const step = () => {
          const count = doc.querySelectorAll("[data-testid=jobs-table] tbody tr").length;
          const loaded =
            doc.querySelector("[data-testid=jobs-count]")?.textContent?.includes("shown") ?? false;
          if (loaded && count >= rows) return resolve(performance.now());
          const more = doc.querySelector("[data-testid=more-jobs]");
          if (loadAll && more && count > clickedAt) {
            clickedAt = count;
            more.click();
          }
          w.requestAnimationFrame(step);
        };
        step();
      }),
    { rows, loadAll },
  );
  if (errors.length > 0) throw new Error(`console errors: ${errors.join("; ")}`);
  await page.close();
  return t;
}

async function submitMany(up: UpStack, n: number): Promise<string[]> {
  const ids: string[] = [];
  const inflight: Array<Promise<unknown>> = [];
  for (let i = 0; i < n; i++) {
    const key = `bench-dash-${process.pid}-${i}`;
    ids.push(jobIdFor(key));
    const spec = `Bench job ${i}: write one line about ${["tides", "lamps", "maps", "bells"][i % 4]}.`;
    inflight.push(up.js.publish("agents.submit", JSON.stringify({ spec, count: 1, idempotency_key: key })));
    if (inflight.length >= 100) await Promise.all(inflight.splice(0));
  }
  await Promise.all(inflight);
  return ids;
}

async function completedJobs(up: UpStack): Promise<number> {
  let n = 0;
  let cursor: string | null = null;
  do {
    const qs: string = `status=completed&limit=500${cursor ? `&cursor=${cursor}` : ""}`;
    const page = (await (await up.api("GET", `/v1/agents/jobs?${qs}`)).json()) as {
      items: unknown[];
      next_cursor: string | null;
    };
    n += page.items.length;
    cursor = page.next_cursor;
  } while (cursor);
  return n;
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

type ListFigures = { empty: number[]; first: number[]; all: number[] };

async function measureList(up: UpStack, browser: Browser): Promise<ListFigures> {
  const url = `${up.url}/#/jobs`;
  const empty: number[] = [];
  // One warm-up load: the first navigation also compiles the bundle into the browser's cache.
  await timeToRows(browser, url, 0, false);
  for (let i = 0; i < REPEATS; i++) empty.push(await timeToRows(browser, url, 0, false));
  say(`empty list: median ${fmt(quantile(empty, 0.5))} ms`);
  const started = Date.now();
  await submitMany(up, JOBS);
  await until(`${JOBS} jobs completed`, 600_000, async () => (await completedJobs(up)) >= JOBS);
  say(`${JOBS} jobs submitted and completed in ${fmt((Date.now() - started) / 1000)} s`);
  const first: number[] = [];
  const all: number[] = [];
  for (let i = 0; i < REPEATS; i++) first.push(await timeToRows(browser, url, 100, false));
  for (let i = 0; i < REPEATS; i++) all.push(await timeToRows(browser, url, JOBS, true));
  say(`first page: ${fmt(quantile(first, 0.5))} ms; all ${JOBS}: ${fmt(quantile(all, 0.5))} ms`);
  return { empty, first, all };
}

/** Record every frame interval and long task of each page opened from now on. */
async function watchFrames(browser: Browser): Promise<void> {
  // tsx compiles this file with esbuild's keepNames, which wraps named functions in `__name(…)`;
  // the functions this file runs inside the page need that helper there too.
  await browser.context.addInitScript({ content: "globalThis.__name = (fn) => fn;" });
  await browser.context.addInitScript(() => {
    const w = globalThis as unknown as PageGlobal;
    w.__frames = [];
    w.__long = [];
    let last = performance.now();
    const tick = (t: number) => {
      w.__frames?.push(t - last);
      last = t;
      w.requestAnimationFrame(tick);
    };
    w.requestAnimationFrame(tick);
    new w.PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__long?.push(e.duration);
    }).observe({ type: "longtask", buffered: true });
  });
}

type LiveFigures = {
  view: string;
  seconds: number;
  streamEvents: number;
  applied: number;
  appliedPerSec: number;
  streamPerSec: number;
  frames: { p50: number; p95: number; p99: number; max: number; over50: number; count: number };
  longTasks: { count: number; totalMs: number; maxMs: number };
  shownCompletedAfterMs: number | null;
};

/** Sequence of the stream's last event (commands on agents.submit and agents.control are not sent). */
async function lastEventSeq(up: UpStack): Promise<number> {
  const reader = new StreamReader(up.nc);
  const seqs = await Promise.all(
    ["agents.job.*", "agents.task.*", "agents.system"].map((f) => reader.lastSequence(f)),
  );
  return Math.max(...seqs);
}

/** Wait until the page has applied the event at `seq`. */
async function caughtUp(page: Page, seq: number): Promise<void> {
  await page.waitForFunction(
    (s) =>
      Number(
        (globalThis as unknown as PageGlobal).document
          .querySelector("#live-stats")
          ?.getAttribute("data-last-seq"),
      ) >= s,
    seq,
    { timeout: 60_000, polling: 200 },
  );
}

async function stat(page: Page, attr: string): Promise<number> {
  return Number(await page.getAttribute("#live-stats", attr));
}

async function measureLive(up: UpStack, browser: Browser, view: "job" | "events"): Promise<LiveFigures> {
  const key = `bench-dash-live-${view}-${process.pid}`;
  const job = jobIdFor(key);
  const hash = view === "job" ? `#/jobs/${job}` : "#/events";
  const { page, errors } = await browser.open(`${up.url}/${hash}`);
  await page.waitForSelector("#live-stats[data-status=live]", { timeout: 30_000 });
  const seq0 = await lastEventSeq(up);
  await caughtUp(page, seq0);
  const applied0 = await stat(page, "data-applied");
  await page.evaluate(() => {
    const w = globalThis as unknown as Win;
    w.__frames = [];
    w.__long = [];
  });
  const started = Date.now();
  await up.js.publish(
    "agents.submit",
    JSON.stringify({
      spec: `Live bench (${view}): one line per iteration.`,
      count: ITERATIONS,
      idempotency_key: key,
    }),
  );
  let completedAt = 0;
  await until(`the ${ITERATIONS}-iteration job completed`, 900_000, async () => {
    const res = await up.api("GET", `/v1/agents/jobs?ids=${job}`);
    const status = ((await res.json()) as { items: Array<{ status: string }> }).items[0]?.status;
    if (status === "completed" && !completedAt) completedAt = Date.now();
    return status === "completed";
  });
  let shownAfter: number | null = null;
  if (view === "job") {
    await page.waitForSelector("[data-testid=job-page][data-status=completed]", { timeout: 60_000 });
    shownAfter = Math.max(0, Date.now() - completedAt);
  }
  // The stream's last event now: the page must have applied everything up to it.
  const last = await lastEventSeq(up);
  await caughtUp(page, last);
  const seconds = (Date.now() - started) / 1000;
  const applied = (await stat(page, "data-applied")) - applied0;
  const frames = await page.evaluate(() => (globalThis as unknown as Win).__frames ?? []);
  const long = await page.evaluate(() => (globalThis as unknown as Win).__long ?? []);
  if (errors.length > 0) throw new Error(`console errors: ${errors.join("; ")}`);
  await browser.screenshot(page, `bench-live-${view}`);
  await page.close();
  const streamEvents = last - seq0;
  return {
    view,
    seconds,
    streamEvents,
    applied,
    appliedPerSec: applied / seconds,
    streamPerSec: streamEvents / seconds,
    frames: {
      p50: quantile(frames, 0.5),
      p95: quantile(frames, 0.95),
      p99: quantile(frames, 0.99),
      max: frames.length ? Math.max(...frames) : Number.NaN,
      over50: frames.filter((f) => f > 50).length,
      count: frames.length,
    },
    longTasks: {
      count: long.length,
      totalMs: long.reduce((a, b) => a + b, 0),
      maxMs: long.length ? Math.max(...long) : 0,
    },
    shownCompletedAfterMs: shownAfter,
  };
}

function report(list: ListFigures, live: LiveFigures[], load: number[]): string {
  const s = (v: number[]) => {
    const x = spread(v);
    return `${fmt(x.median, 0)} (${fmt(x.min, 0)} – ${fmt(x.max, 0)})`;
  };
  const lines = [
    `Load average at the start: ${load.map((n) => n.toFixed(2)).join(", ")}. Times are ms from navigation start, median (min – max) of ${REPEATS} loads.`,
    "",
    table(
      ["jobs list", "time to rendered"],
      [
        ["baseline: no job", s(list.empty)],
        [`${JOBS} jobs, first page (100 rows)`, s(list.first)],
        [`${JOBS} jobs, every row (100, then "Load older" 500 at a time)`, s(list.all)],
      ],
    ),
    "",
    table(
      [
        "live view",
        "run (s)",
        "stream events",
        "applied by the page",
        "events/s (stream / page)",
        "frame p50 / p95 / p99 / max (ms)",
        "frames > 50 ms",
        "long tasks (n, total, max ms)",
        "completed shown after (ms)",
      ],
      live.map((l) => [
        l.view === "job" ? `job page, ${ITERATIONS} iterations` : `event feed, ${ITERATIONS} iterations`,
        fmt(l.seconds, 1),
        fmt(l.streamEvents, 0),
        fmt(l.applied, 0),
        `${fmt(l.streamPerSec, 0)} / ${fmt(l.appliedPerSec, 0)}`,
        `${fmt(l.frames.p50, 1)} / ${fmt(l.frames.p95, 1)} / ${fmt(l.frames.p99, 1)} / ${fmt(l.frames.max, 0)}`,
        `${l.frames.over50} of ${l.frames.count}`,
        `${l.longTasks.count}, ${fmt(l.longTasks.totalMs, 0)}, ${fmt(l.longTasks.maxMs, 0)}`,
        l.shownCompletedAfterMs === null ? "–" : fmt(l.shownCompletedAfterMs, 0),
      ]),
    ),
  ];
  return lines.join("\n");
}

await ensureFreshDashboard();
const load = loadavg();
const up = await startUp({
  AGENTS_EXECUTOR: "echo",
  AGENTS_WORKER_CONCURRENCY: "16",
  AGENTS_PROGRESS_EVERY_MS: "10000",
  LOG_LEVEL: "error",
});
const browser = await launchBrowser();
try {
  await watchFrames(browser);
  const list = await measureList(up, browser);
  const live = opts["list-only"]
    ? []
    : [await measureLive(up, browser, "job"), await measureLive(up, browser, "events")];
  for (const l of live)
    say(`${l.view}: ${fmt(l.appliedPerSec, 0)} events/s applied, frame p95 ${fmt(l.frames.p95, 1)} ms`);
  await writeFile(opts.out, `${JSON.stringify({ load, list, live }, null, 2)}\n`).catch(() => undefined);
  process.stdout.write(`${report(list, live, load)}\n`);
} finally {
  await browser.close();
  await up.stop();
}
