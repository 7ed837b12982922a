import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { freePort, retryUntil, spawnActor } from "../support/index.ts";
import { checkMetrics } from "../support/prometheus.ts";
import { parseScrape } from "../support/scrape.ts";

// True when something accepts TCP connections on the port.
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

describe("agents up with no NATS server running", () => {
  let dir = "";
  after(() => rm(dir, { recursive: true, force: true }));

  it("starts nats-server, projections and the gateway, prints the URLs, serves every part's metrics, and Ctrl-C stops everything", async () => {
    dir = await mkdtemp(join(tmpdir(), "agents-up-"));
    const [natsPort, httpPort] = [await freePort(), await freePort()];
    const up = spawnActor("up", {
      NATS_URL: `nats://127.0.0.1:${natsPort}`,
      AGENTS_PORT: String(httpPort),
      AGENTS_DATA_DIR: dir,
      AGENTS_EXECUTOR: "echo",
      LOG_LEVEL: "info",
    });
    const url = `http://127.0.0.1:${httpPort}`;
    // A process that exited fails at once with its logs (a bare "fetch failed" said nothing); a slow
    // start on a loaded machine (tsx compiling, nats-server, 27 work consumers) gets 90 s.
    let exited: number | null | undefined;
    void up.exited.then((code) => {
      exited = code;
    });
    await retryUntil(
      async () => {
        if (exited !== undefined) return;
        const res = await fetch(`${url}/ready`);
        assert.equal(res.status, 200);
      },
      { timeoutMs: 90_000, intervalMs: 200 },
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\nlogs:\n${up.logs()}`);
    });
    assert.equal(
      exited,
      undefined,
      `agents up exited (${exited}) before its gateway answered:\n${up.logs()}`,
    );
    assert.match(up.logs(), new RegExp(`gateway: +${url}`));
    assert.match(up.logs(), /projections: embedded/);
    assert.ok(await listening(natsPort), "its own nats-server runs");
    // One /metrics for every part (gateway, projections, orchestrator, worker), promtool-clean.
    const text = await (await fetch(`${url}/metrics`)).text();
    assert.equal(await checkMetrics(text), "", "promtool check metrics");
    const scrape = parseScrape(text);
    for (const name of [
      "agents_http_requests_total",
      "agents_projection_events_applied_total",
      "agents_orchestrator_leading",
      "agents_worker_serves_queue",
      "agents_work_pending_messages",
    ])
      assert.ok(scrape.declares(name), name);
    assert.equal(scrape.sum("agents_orchestrator_leading"), 1);
    assert.ok(scrape.samples.every((x) => x.labels.component === "up"));

    assert.equal(await up.kill("SIGINT"), 0, up.logs());
    assert.equal(await listening(natsPort), false, "its nats-server stopped too");
    assert.equal(await listening(httpPort), false);
    assert.doesNotMatch(up.logs(), /stop failed/, up.logs());
    const stopped = [...up.logs().matchAll(/"part":"([\w-]+)","msg":"stopped"/g)].map((m) => m[1]);
    assert.deepEqual(stopped, [
      "gateway",
      "worker",
      "submit-responder",
      "orchestrator",
      "projections",
      "nats",
      "nats-server",
    ]);
  });
});
