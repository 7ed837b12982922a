// A first run of `agents up` as a new user meets it: one stack per folder and port, a local
// nats-server that never outlives it, a stale one found and named, the demo mode, and job ids for a
// service that speaks plain NATS.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { jobIdFor } from "../../src/core/ids.ts";
import { isAlive } from "../../src/stack/instance-lock.ts";
import { natsPidFile } from "../../src/stack/local-nats.ts";
import { findNatsServer, freePort, retryUntil, spawnActor } from "../support/index.ts";
import { startUp, type UpStack, until } from "./support.ts";

/** True when something accepts TCP connections on the port. */
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

async function ready(url: string, logs: () => string): Promise<void> {
  await retryUntil(
    async () => {
      const res = await fetch(`${url}/ready`);
      assert.equal(res.status, 200);
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}\n${logs()}`);
  });
}

describe("agents up: one per folder and port, and its nats-server never outlives it", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "agents-first-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("given a running agents up, then a second exits 1 naming it before starting anything, and a SIGKILL of the first takes its nats-server along", async () => {
    const data = join(dir, "one");
    const [natsPort, httpPort] = [await freePort(), await freePort()];
    const env = {
      NATS_URL: `nats://127.0.0.1:${natsPort}`,
      AGENTS_PORT: String(httpPort),
      AGENTS_DATA_DIR: data,
      AGENTS_EXECUTOR: "echo",
      LOG_LEVEL: "info",
    };
    const first = spawnActor("up", env);
    try {
      await ready(`http://127.0.0.1:${httpPort}`, first.logs);
      const natsPid = Number((await readFile(natsPidFile(data), "utf8")).trim());
      assert.ok(isAlive(natsPid), "its own nats-server runs");

      // The same gateway port (and folder): the gateway there is named, before anything starts.
      const otherNats = await freePort();
      const second = spawnActor("up", { ...env, NATS_URL: `nats://127.0.0.1:${otherNats}` });
      assert.equal(await second.exited, 1, second.logs());
      assert.match(
        second.logs(),
        new RegExp(
          `AGENTS_PORT: ${httpPort} is taken by an infinite-agents gateway at http://127.0.0.1:${httpPort} .*is agents up already running\\?`,
        ),
      );
      assert.equal(await listening(otherNats), false, "no nats-server was started for it");

      // Another port, the same folder: the folder's lock names the first.
      const third = spawnActor("up", {
        ...env,
        AGENTS_PORT: String(await freePort()),
        NATS_URL: `nats://127.0.0.1:${otherNats}`,
      });
      assert.equal(await third.exited, 1, third.logs());
      assert.match(third.logs(), new RegExp(`agents up is already running here \\(pid ${first.pid}\\b`));
      assert.equal(await listening(otherNats), false, "no nats-server was started for it");
      for (const r of [second, third]) assert.doesNotMatch(r.logs(), /infinite-agents is up|"msg":"started"/);
      assert.ok(isAlive(natsPid), "the first one's server was left alone");

      // No handler of agents up runs on SIGKILL: the server must still go with it.
      await first.kill("SIGKILL");
      await until(async () => (isAlive(natsPid) ? undefined : true), 20_000, "the nats-server to exit");
      assert.equal(await listening(natsPort), false);
    } finally {
      await first.kill("SIGKILL");
    }
  });

  it("given a stale nats-server left on the data folder, then agents up names it, stops it and runs on its own", async () => {
    const data = join(dir, "stale");
    const [natsPort, httpPort] = [await freePort(), await freePort()];
    const store = join(data, "nats");
    await mkdir(store, { recursive: true });
    // As an earlier agents up would have left it: its store and pid file in the data folder.
    const stale = spawn(
      findNatsServer(),
      ["-a", "127.0.0.1", "-p", String(natsPort), "-js", "-sd", store, "-P", natsPidFile(data)],
      { stdio: "ignore" },
    );
    const stalePid = stale.pid ?? -1;
    await until(async () => ((await listening(natsPort)) ? true : undefined), 20_000, "the stale server");
    await until(async () => ((await readFile(natsPidFile(data), "utf8").catch(() => "")) ? true : undefined));

    const up = spawnActor("up", {
      NATS_URL: `nats://127.0.0.1:${natsPort}`,
      AGENTS_PORT: String(httpPort),
      AGENTS_DATA_DIR: data,
      AGENTS_EXECUTOR: "echo",
      LOG_LEVEL: "info",
    });
    try {
      await ready(`http://127.0.0.1:${httpPort}`, up.logs);
      assert.match(up.logs(), new RegExp(`stopped a stale nats-server \\(pid ${stalePid}\\)`));
      assert.match(up.logs(), new RegExp(`NATS: .*\\(started here, pid (?!${stalePid}\\b)\\d+`));
      assert.equal(isAlive(stalePid), false);
    } finally {
      assert.equal(await up.kill("SIGINT"), 0, up.logs());
      stale.kill("SIGKILL");
    }
    assert.equal(await listening(natsPort), false, "its own server stopped with it");
  });
});

/**
 * A NATS request as another service would send it, over a raw TCP socket speaking the client
 * protocol (https://docs.nats.io/reference/reference-protocols/nats-protocol): CONNECT, SUB an inbox,
 * PUB with that inbox as reply subject, then read the MSG. Not our NATS library.
 */
async function rawRequest(natsUrl: string, subject: string, payload: string): Promise<unknown> {
  const { hostname, port } = new URL(natsUrl.replace(/^nats:/, "http:"));
  const body = Buffer.from(payload, "utf8");
  const inbox = "_INBOX.raw-e2e.1";
  return new Promise((resolve, reject) => {
    const sock = tcpConnect({ host: hostname, port: Number(port) });
    let buf = Buffer.alloc(0);
    let sent = false;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no reply within 25 s; read: ${buf.toString()}`));
    }, 25_000);
    sock.on("error", reject);
    sock.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const eol = buf.indexOf("\r\n");
        if (eol < 0) return;
        const line = buf.subarray(0, eol).toString();
        if (line.startsWith("INFO ") && !sent) {
          sent = true;
          sock.write(
            `CONNECT {"verbose":false,"pedantic":false,"lang":"raw","version":"0","protocol":1}\r\n`,
          );
          sock.write(`SUB ${inbox} 1\r\n`);
          sock.write(`PUB ${subject} ${inbox} ${body.length}\r\n`);
          sock.write(Buffer.concat([body, Buffer.from("\r\n")]));
        } else if (line === "PING") sock.write("PONG\r\n");
        else if (line.startsWith("-ERR")) reject(new Error(line));
        else if (line.startsWith("MSG ")) {
          const size = Number(line.split(" ").at(-1));
          if (buf.length < eol + 2 + size + 2) return; // the payload has not all arrived yet
          const data = buf.subarray(eol + 2, eol + 2 + size).toString("utf8");
          clearTimeout(timer);
          sock.end();
          resolve(JSON.parse(data));
          return;
        }
        buf = buf.subarray(eol + 2);
      }
    });
  });
}

describe("agents up --demo, and job ids over plain NATS", () => {
  let s: UpStack;
  before(async () => {
    // The demo's rates, higher and faster, so one small job surely shows both.
    s = await startUp(
      {
        AGENTS_EXECUTOR: "echo",
        AGENTS_ECHO_DELAY_MS: "100",
        AGENTS_ECHO_LOW_SCORE_RATE: "0.5",
        AGENTS_ECHO_HANDOFF_RATE: "0.5",
      },
      ["--demo"],
    );
  });
  after(() => s.stop());

  it("given --demo, then /health names the echo executor at its pace and a job goes through revisions and handoffs", async () => {
    const health = (await (await s.api("GET", "/health")).json()) as { executor: string };
    assert.equal(
      health.executor,
      "echo (offline, no LLM is called; 100 ms an answer, 50% low scores, 50% handoffs)",
    );
    const res = await s.api(
      "POST",
      "/v1/agents/submit",
      { spec: "Write one line about lighthouses.", count: 6 },
      { "idempotency-key": "demo-e2e" },
    );
    assert.equal(res.status, 202, await res.clone().text());
    const { job_id } = (await res.json()) as { job_id: string };
    const watch = await s.cli(["watch", job_id, "--json"]);
    assert.equal(watch.code, 0, watch.stderr);
    const frames = watch.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; data?: { task_type?: string; passed?: boolean } });
    const types = frames.map((f) => f.type);
    assert.ok(types.includes("task.handoff_requested"), "a handoff ran");
    assert.ok(
      frames.some((f) => f.type === "task.created" && f.data?.task_type === "continuation"),
      "and its continuation",
    );
    assert.ok(
      frames.some((f) => f.type === "critique.recorded" && f.data?.passed === false),
      "a low score",
    );
    assert.ok(
      frames.some((f) => f.type === "task.created" && f.data?.task_type === "reviser"),
      "and its revision",
    );
    assert.equal(types.at(-1), "end");
  });

  it("given a submission as a NATS request from a raw protocol client, then the reply names the job id, and a bad one names the field", async () => {
    const keyed = (await rawRequest(
      s.nats.url,
      "agents.submit.request",
      JSON.stringify({ spec: "Write one line about harbours.", count: 1, idempotency_key: "raw-nats-1" }),
    )) as { job_id: string; task_ids: string[]; status_url: string };
    assert.equal(keyed.job_id, jobIdFor("raw-nats-1"), "the documented derivation");
    assert.equal(keyed.task_ids.length, 1);
    assert.equal(keyed.status_url, `/v1/agents/status/${keyed.job_id}`);

    // Without a key the id is still in the reply, and names a job the gateway then knows.
    const unkeyed = (await rawRequest(
      s.nats.url,
      "agents.submit.request",
      JSON.stringify({ spec: "Write one line about piers.", count: 1 }),
    )) as { job_id: string };
    await until(async () =>
      (await s.api("GET", `/v1/agents/status/${unkeyed.job_id}`)).ok ? true : undefined,
    );

    const bad = (await rawRequest(
      s.nats.url,
      "agents.submit.request",
      JSON.stringify({ spec: "x", count: 0 }),
    )) as { error: { code: string; fields: Array<{ path: string }> } };
    assert.equal(bad.error.code, "VALIDATION_FAILED");
    assert.deepEqual(
      bad.error.fields.map((f) => f.path),
      ["count"],
    );

    // Checked as the gateway checks it: a budget that can reach a model without a price is refused.
    const unpriced = (await rawRequest(
      s.nats.url,
      "agents.submit.request",
      JSON.stringify({ spec: "x", count: 1, model: "my-local-llama", budget_usd: 1 }),
    )) as { error: { code: string; fields: Array<{ path: string; message: string }> } };
    assert.equal(unpriced.error.code, "VALIDATION_FAILED");
    assert.deepEqual(
      unpriced.error.fields.map((f) => f.path),
      ["model"],
    );
    assert.match(unpriced.error.fields[0]?.message ?? "", /my-local-llama.*no price/);
  });
});
