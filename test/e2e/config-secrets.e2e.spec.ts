import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type NatsServerHandle, startNatsServer } from "../support/index.ts";
import { runCli } from "./support.ts";

// Real `agents` processes started with bad or secret-bearing configuration: what they print on the
// way out must name the problem and hold no secret.
describe("given an agents process with a configuration problem", () => {
  let nats: NatsServerHandle;
  let dir: string;
  before(async () => {
    nats = await startNatsServer();
    dir = await mkdtemp(join(tmpdir(), "agents-secrets-"));
  });
  after(async () => {
    await nats.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("when AGENTS_API_KEY is too short, then the worker exits naming it without echoing it", async () => {
    const run = await runCli(["worker"], {
      NATS_URL: nats.url,
      AGENTS_DATA_DIR: dir,
      AGENTS_API_KEY: "tooShortSecret",
    });
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /AGENTS_API_KEY/);
    assert.ok(!`${run.stdout}${run.stderr}`.includes("tooShortSecret"), run.stderr);
  });

  it("when ARANGO_URL carries a password, then the gateway exits without printing it", async () => {
    const run = await runCli(["gateway"], {
      NATS_URL: nats.url,
      AGENTS_DATA_DIR: dir,
      AGENTS_PORT: "0",
      ARANGO_URL: "http://root:Pa55w0rd-in-url@127.0.0.1:1",
      ARANGO_PASSWORD: "arango-password-value",
      OPENAI_API_KEY: "sk-openai-secret-value",
    });
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /ARANGO_URL/);
    const printed = `${run.stdout}${run.stderr}`;
    for (const secret of ["Pa55w0rd-in-url", "arango-password-value", "sk-openai-secret-value"])
      assert.ok(!printed.includes(secret), `${secret} was printed: ${printed}`);
  });
});
