// Signing in outside local mode, in a real browser against `agents up` with AGENTS_API_KEY: the page
// is public but shows only a sign-in form; a wrong key is refused; the right one gives an HttpOnly,
// SameSite=Strict cookie the page's script cannot read, the key appears in no URL or log, actions
// work with the cookie, and a cross-site write carrying it is refused.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ensureFreshDashboard } from "../../src/gateway/web/build.ts";
import { SESSION_COOKIE } from "../../src/gateway/web/session.ts";
import { startUp, type UpStack } from "../e2e/support.ts";
import { type Browser, launchBrowser } from "../support/browser.ts";

const KEY = "sign-in-test-key-7f3a9c2e51";
const WAIT = { timeout: 30_000 };

describe("signing in to the dashboard outside local mode", () => {
  let up: UpStack;
  let browser: Browser;
  before(async () => {
    await ensureFreshDashboard();
    up = await startUp({ AGENTS_LOCAL_MODE: "false", AGENTS_API_KEY: KEY, LOG_LEVEL: "info" });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await up?.stop();
  });

  it("given no session, when the page opens, then it shows only the sign-in form and the API refuses", async () => {
    assert.equal((await up.api("GET", "/v1/agents/jobs")).status, 401);
    const { page, errors } = await browser.open(`${up.url}/`);
    await page.waitForSelector("[data-testid=api-key]", WAIT);
    assert.equal(await page.locator("[data-testid=jobs-table]").count(), 0);
    await browser.screenshot(page, "sign-in");
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("given the form, when a wrong key then the right one is entered, then the dashboard opens on an HttpOnly cookie", async () => {
    const w = await browser.open(`${up.url}/`);
    const { page } = w;
    await page.fill("[data-testid=api-key]", "definitely-not-the-key");
    await page.click("[data-testid=sign-in]");
    await page.waitForSelector(".error", WAIT);
    assert.match((await page.textContent(".error")) ?? "", /not valid/);
    await page.fill("[data-testid=api-key]", KEY);
    await page.click("[data-testid=sign-in]");
    await page.waitForSelector("#live-stats[data-status=live]", WAIT);
    await page.waitForSelector("[data-testid=jobs-table]", WAIT);
    const cookies = await browser.context.cookies(up.url);
    const session = cookies.find((c) => c.name === SESSION_COOKIE);
    assert.ok(session, "a session cookie was set");
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, "Strict");
    assert.ok(!session.value.includes(KEY), "the cookie is not the key");
    assert.equal(
      await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie),
      "",
    );
    assert.ok(!page.url().includes(KEY), "the key is in no URL");
    // The one console error allowed: the browser's own note of the refused first attempt (401).
    const unexpected = w.errors.filter((e) => !/status of 401/.test(e));
    assert.deepEqual(unexpected, []);
    assert.equal(w.errors.length, 1, w.errors.join("\n"));

    if (!(await page.isVisible("[data-testid=spec]"))) await page.click("[data-testid=new-job]");
    await page.fill("[data-testid=spec]", "Write one line about keys.");
    await page.fill("[data-testid=count]", "1");
    await page.click("[data-testid=submit]");
    await page.waitForSelector("[data-testid=job-page][data-status=completed]", WAIT);
    await browser.screenshot(page, "signed-in-job");
    assert.ok(!up.up.logs().includes(KEY), "the key is in no log line");
    assert.match(up.up.logs(), /dashboard signed in/);

    const cookie = `${SESSION_COOKIE}=${session.value}`;
    const same = await up.api("POST", "/v1/agents/queues/critic/unpause", {}, { cookie, origin: up.url });
    assert.equal(same.status, 202, "the dashboard's own origin may act with the cookie");
    const cross = await up.api(
      "POST",
      "/v1/agents/control/stop",
      { reason: "csrf" },
      {
        cookie,
        origin: "https://evil.example",
        "sec-fetch-site": "cross-site",
      },
    );
    assert.equal(cross.status, 403);
    assert.equal(((await cross.json()) as { error: { code: string } }).error.code, "FORBIDDEN");
    const stops = (await up.events("agents.control.stop")).length;
    assert.equal(stops, 0, "nothing was stopped");
    await page.click("text=Sign out");
    await page.waitForSelector("[data-testid=api-key]", WAIT);
    assert.equal(
      (await browser.context.cookies(up.url)).some((c) => c.name === SESSION_COOKIE),
      false,
    );
    await page.close();
  });
});
