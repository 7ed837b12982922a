// The dashboard in a real browser (Debian's Chromium through playwright-core) against `agents up`
// as a real process, with the fixture agent standing in for the Claude CLI. Each scenario of the
// issue: submit from the form and watch the job finish live; open a task and see its critique;
// an output holding <script> shows as text; cancel; retry a dead-lettered task; stop and see the
// banner, resume; pause a queue; and every view without a console error. Screenshots go to
// test-artifacts/screenshots.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { ensureFreshDashboard } from "../../src/gateway/web/build.ts";
import { startUp, type UpStack } from "../e2e/support.ts";
import { type Browser, launchBrowser, type WatchedPage } from "../support/browser.ts";

const WAIT = { timeout: 30_000 };
/** A model (a Claude name, so the Claude route runs it) the stack limits to one call at once. */
const ONE_AT_ONCE = "claude-one-at-once";

describe("the dashboard in Chromium, against agents up", () => {
  let up: UpStack;
  let browser: Browser;
  before(async () => {
    await ensureFreshDashboard();
    // One model held to one call at once for the fleet, so a second task of it waits visibly.
    up = await startUp({ AGENTS_PROGRESS_EVERY_MS: "500", AGENTS_MODEL_LIMITS: `${ONE_AT_ONCE}=1` });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await up?.stop();
  });

  const open = async (hash = "#/jobs"): Promise<WatchedPage> => {
    const w = await browser.open(`${up.url}/${hash}`);
    await w.page.waitForSelector("#live-stats[data-status=live]", WAIT);
    return w;
  };
  const submitApi = async (spec: string, count = 1) => {
    const res = await up.api("POST", "/v1/agents/submit", { spec, count });
    assert.equal(res.status, 202);
    return ((await res.json()) as { job_id: string }).job_id;
  };
  // What the page shows, what the API answers and what the stream holds for a job: printed when a
  // wait for the page fails, so an intermittent failure says which of the three is behind.
  const evidence = async (page: Page, job: string): Promise<string> => {
    const api = await (await up.api("GET", `/v1/agents/jobs/${job}/iterations`)).text();
    const lines: string[] = [];
    const last = (await up.jsm.streams.info("AGENTS")).state.last_seq;
    for (let seq = 1; seq <= last; seq++) {
      const m = await up.jsm.streams.getMessage("AGENTS", { seq }).catch(() => null);
      const e = m?.json<{ type: string; job_id?: string; task_id?: string }>();
      if (e?.job_id === job) lines.push(`${seq} ${e.type} ${e.task_id ?? ""}`);
    }
    const html = await page.innerHTML("[data-testid=iterations]").catch(() => "(no table)");
    return `page: ${html}\napi: ${api}\nstream:\n${lines.join("\n")}`;
  };
  const noErrors = (w: WatchedPage) => assert.deepEqual(w.errors, [], "no console error or exception");
  // The page's global object, as the test sees it (the test itself runs in Node).
  type Win = { __same?: number; __pwned?: number; location: { hash: string } };
  const marker = (page: Page) => page.evaluate(() => ((globalThis as unknown as Win).__same = 1));
  const samePage = async (page: Page) =>
    assert.equal(await page.evaluate(() => (globalThis as unknown as Win).__same), 1, "no reload");
  const pwned = (page: Page) => page.evaluate(() => (globalThis as unknown as Win).__pwned);
  const go = (page: Page, hash: string) =>
    page.evaluate((h) => {
      (globalThis as unknown as Win).location.hash = h;
    }, hash);

  it("given the form, when a job is submitted, then its page follows it live until it completes", async () => {
    const w = await open();
    const { page } = w;
    if (!(await page.isVisible("[data-testid=spec]"))) await page.click("[data-testid=new-job]");
    await page.fill("[data-testid=spec]", "Write a limerick about tides.\nFIXTURE: sleep 2500");
    await page.fill("[data-testid=count]", "2");
    await marker(page);
    await page.click("[data-testid=submit]");
    await page.waitForURL(/#\/jobs\/j[A-Za-z0-9_-]+$/, WAIT);
    await page.waitForSelector("[data-testid=job-page][data-status=running]", WAIT);
    await page.waitForSelector("a.task-chip.s-running", WAIT);
    await browser.screenshot(page, "job-running");
    await page.waitForSelector("[data-testid=job-page][data-status=completed]", WAIT);
    await samePage(page);
    const outcomes = await page.$$eval("[data-testid=iterations] tbody tr", (rows) =>
      rows.map((r) => [r.getAttribute("data-iteration"), r.querySelector(".badge")?.textContent]),
    );
    assert.deepEqual(outcomes, [
      ["2", "passed"],
      ["1", "passed"],
    ]);
    await browser.screenshot(page, "job-completed");
    await page.click("a.brand");
    const job = page.url().split("/").pop() ?? "";
    assert.ok(job === "" || job === "jobs");
    await page.waitForSelector("[data-testid=jobs-table] tr[data-status=completed]", WAIT);
    assert.match(
      (await page.textContent("[data-testid=jobs-table]")) ?? "",
      /Write a limerick about tides\./,
    );
    noErrors(w);
    await page.close();
  });

  it("given a finished job, when its generator is opened, then the critique, exact prompt, progress and timeline are there", async () => {
    const job = await submitApi("Describe a harbour at dawn.\nFIXTURE: sleep 1500");
    const w = await open(`#/jobs/${job}`);
    const { page } = w;
    await page.waitForSelector("[data-testid=job-page][data-status=completed]", WAIT);
    await page.click(`a[data-task="${job}-i1-g"]`);
    await page.waitForSelector("[data-testid=task-page][data-status=completed]", WAIT);
    await page.waitForSelector("[data-testid=critique]", WAIT);
    const critique = (await page.textContent("[data-testid=critique]")) ?? "";
    assert.match(critique, /C 9/);
    assert.match(critique, /U 8/);
    assert.match(critique, /Q 9/);
    assert.match(critique, /passing critique/);
    await page.click("[data-testid=attempt] summary");
    assert.match(
      (await page.textContent("[data-testid=attempt-prompt]")) ?? "",
      /Describe a harbour at dawn\./,
    );
    // The fixture agent answers with the first line of its prompt.
    assert.match(
      (await page.textContent("[data-testid=task-output]")) ?? "",
      /Fixture answer for: ROLE: generator/,
    );
    await page.waitForSelector("[data-testid=progress-lines] li", WAIT);
    const timeline = await page.$$eval("[data-testid=timeline] tr td:nth-child(3)", (cells) =>
      cells.map((c) => c.textContent),
    );
    for (const type of ["task.created", "task.started", "task.completed", "critique.recorded"])
      assert.ok(timeline.includes(type), `${type} in ${timeline.join(", ")}`);
    await browser.screenshot(page, "task-story");
    noErrors(w);
    await page.close();
  });

  it("given an output and a spec holding <script>, then the page shows them as text and runs nothing", async () => {
    const payload = `<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">`;
    const job = await submitApi(`Echo this: ${payload}\nFIXTURE: output Answer ${payload} done`);
    const w = await open(`#/jobs/${job}`);
    const { page } = w;
    await page.waitForSelector("[data-testid=job-page][data-status=completed]", WAIT);
    assert.match(
      (await page.textContent("[data-testid=job-spec]")) ?? "",
      /<script>window.__pwned = 1<\/script>/,
    );
    await page.click(`a[data-task="${job}-i1-g"]`);
    await page.waitForSelector("[data-testid=task-output]", WAIT);
    const output = (await page.textContent("[data-testid=task-output]")) ?? "";
    assert.ok(output.includes(`Answer ${payload} done`), output);
    assert.equal(await pwned(page), undefined);
    assert.equal(await page.locator("main script, main img").count(), 0, "no element was made from the text");
    await page.goto(`${up.url}/#/jobs`);
    await page.waitForSelector(`tr[data-job="${job}"]`, WAIT);
    assert.match((await page.textContent(`tr[data-job="${job}"] .spec-cell`)) ?? "", /<script>/);
    assert.equal(await pwned(page), undefined);
    await browser.screenshot(page, "script-as-text");
    noErrors(w);
    await page.close();
  });

  it("given a running job, when it is cancelled from its page, then it ends cancelled", async () => {
    const job = await submitApi("Write a long saga.\nFIXTURE: sleep 20000", 2);
    const w = await open(`#/jobs/${job}`);
    const { page } = w;
    await page.waitForSelector("a.task-chip.s-running", WAIT);
    await page.click("[data-testid=cancel-job]");
    await page.waitForSelector("[data-testid=job-page][data-status=cancelled]", WAIT);
    assert.equal(
      await page.locator("[data-testid=cancel-job]").count(),
      0,
      "an ended job has no cancel button",
    );
    await page
      .waitForSelector("[data-testid=iterations] .badge.s-cancelled", WAIT)
      .catch(async (err: unknown) => assert.fail(`${String(err)}\n${await evidence(page, job)}`));
    await browser.screenshot(page, "job-cancelled");
    noErrors(w);
    await page.close();
  });

  it("given a model at its calls-at-once limit, when the waiting task is opened, then its page says which model it waits for, why and until when", async () => {
    const res = await up.api("POST", "/v1/agents/submit", {
      spec: "Write two slow lines.\nFIXTURE: sleep 20000",
      count: 2,
      model: ONE_AT_ONCE,
    });
    assert.equal(res.status, 202);
    const job = ((await res.json()) as { job_id: string }).job_id;
    type Item = { task_id: string; waiting?: { model: string; why: string } | null };
    let waiter: Item | undefined;
    let items: Item[] = [];
    for (const end = Date.now() + 30_000; !waiter && Date.now() < end; ) {
      ({ items } = (await (await up.api("GET", `/v1/agents/jobs/${job}/tasks`)).json()) as { items: Item[] });
      waiter = items.find((t) => t.waiting?.why === "concurrency");
      if (!waiter) await new Promise((r) => setTimeout(r, 300));
    }
    assert.ok(waiter, `one generator waits for the model; the job's tasks: ${JSON.stringify(items)}`);
    const w = await open(`#/tasks/${waiter.task_id}`);
    const line = await w.page.waitForSelector("[data-testid=task-waiting]", WAIT);
    const text = (await line.textContent()) ?? "";
    assert.match(
      text,
      new RegExp(`^Waiting for model ${ONE_AT_ONCE}: at its calls-at-once limit, until \\S+ at the latest`),
    );
    await browser.screenshot(w.page, "task-waiting");
    noErrors(w);
    await w.page.close();
    assert.equal((await up.api("POST", `/v1/agents/${job}/cancel`, { reason: "test over" })).status, 202);
  });

  it("given a dead-lettered task, when Retry is pressed on its page, then it runs once more and completes", async () => {
    // One attempt, and the fixture agent fails the first run: the generator is dead-lettered.
    const res = await up.api("POST", "/v1/agents/submit", {
      spec: "Write a haiku about second chances.\nFIXTURE: fail-times 1 dash-retry",
      count: 1,
      max_attempts: 1,
    });
    assert.equal(res.status, 202);
    const job = ((await res.json()) as { job_id: string }).job_id;
    const w = await open(`#/tasks/${job}-i1-g`);
    const { page } = w;
    await page.waitForSelector("[data-testid=task-page][data-status=dead_lettered]", WAIT);
    await browser.screenshot(page, "task-dead-lettered");
    await page.click("[data-testid=retry-task]");
    await page.waitForSelector("[data-testid=task-page][data-status=completed]", WAIT);
    assert.equal(await page.locator("[data-testid=retry-task]").count(), 0, "a completed task has no Retry");
    await go(page, `#/jobs/${job}`);
    await page.waitForSelector("[data-testid=job-page][data-status=completed]", WAIT);
    noErrors(w);
    await page.close();
  });

  it("given running agents, when stopped from the header, then the STOPPED banner names the reason until resumed", async () => {
    const job = await submitApi("Write a slow sonnet.\nFIXTURE: sleep-once 6000 stop-test");
    const w = await open(`#/jobs/${job}`);
    const { page } = w;
    await page.waitForSelector("a.task-chip.s-running", WAIT);
    await page.click("[data-testid=stop]");
    await page.fill("[data-testid=stop-reason]", "budget review");
    await page.click("[data-testid=stop-confirm]");
    await page.waitForSelector("[data-testid=stopped-banner]", WAIT);
    assert.equal(await page.textContent("[data-testid=stopped-reason]"), "budget review");
    assert.match((await page.textContent("[data-testid=stopped-banner]")) ?? "", /STOPPED/);
    await page.waitForSelector("a.task-chip.s-interrupted, a.task-chip.s-queued", WAIT);
    await browser.screenshot(page, "stopped");
    await go(page, "#/queues");
    await page.waitForSelector("[data-testid=queues]", WAIT);
    assert.match((await page.textContent("main")) ?? "", /system stopped/);
    await page.click("[data-testid=banner-resume]");
    await page.waitForSelector("[data-testid=stopped-banner]", { state: "detached", ...WAIT });
    await page.waitForSelector("[data-testid=system-running]", WAIT);
    await go(page, `#/jobs/${job}`);
    await page.waitForSelector("[data-testid=job-page][data-status=completed]", WAIT);
    noErrors(w);
    await page.close();
  });

  it("given the queues view, when a queue is paused and unpaused, then its state and the banner follow", async () => {
    const w = await open("#/queues");
    const { page } = w;
    await page.waitForSelector("[data-testid=queues]", WAIT);
    await page.fill('[aria-label="reason to pause heavy"]', "provider maintenance");
    await page.click("[data-testid=pause-heavy]");
    await page.waitForSelector("[data-testid=paused-heavy]", WAIT);
    assert.match((await page.textContent("[data-testid=paused-heavy]")) ?? "", /provider maintenance/);
    await page.waitForSelector("[data-testid=paused-banner]", WAIT);
    await browser.screenshot(page, "queue-paused");
    await page.click("[data-testid=unpause-heavy]");
    await page.waitForSelector("[data-testid=paused-heavy]", { state: "detached", ...WAIT });
    await page.waitForSelector("[data-testid=paused-banner]", { state: "detached", ...WAIT });
    noErrors(w);
    await page.close();
  });

  it("given every view, when visited in turn, then none logs a console error", async () => {
    const jobs = (await (await up.api("GET", "/v1/agents/jobs?status=completed&limit=1")).json()) as {
      items: Array<{ job_id: string }>;
    };
    const job = jobs.items[0]?.job_id ?? "";
    const w = await open("#/jobs");
    const { page } = w;
    const views: Array<[string, string[]]> = [
      ["#/jobs", ["[data-testid=jobs-table] tbody tr"]],
      [`#/jobs/${job}`, ["[data-testid=iterations] tbody tr"]],
      [`#/tasks/${job}-i1-g`, ["[data-testid=timeline] tr", "[data-testid=critique]"]],
      ["#/queues", ["[data-testid=queues] tbody tr"]],
      ["#/events", ["[data-testid=events] tbody tr"]],
      [
        "#/charts",
        [
          "[data-testid=quality-chart] canvas",
          "[data-testid=cost-chart] canvas",
          "[data-testid=cost-totals] tbody tr",
        ],
      ],
      ["#/jobs/jnosuchjob", ["[data-testid=job-waiting]"]],
    ];
    for (const [hash, ready] of views) {
      await go(page, hash);
      for (const selector of ready) await page.waitForSelector(selector, WAIT);
      await browser.screenshot(page, `view-${hash.slice(2).replaceAll("/", "-")}`);
    }
    noErrors(w);
    await page.close();
  });
});
