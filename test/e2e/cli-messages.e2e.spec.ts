// The CLI's messages for bad input: each names the field and what it may be. No stack is needed.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { freePort } from "../support/index.ts";
import { runCli } from "./support.ts";

describe("the agents CLI's messages", () => {
  let dir: string;
  let spec: string;
  let env: Record<string, string>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "agents-msgs-"));
    spec = join(dir, "spec.md");
    await writeFile(spec, "Write one line.\n");
    // Nothing answers there: every message must come before any connection.
    env = { AGENTS_URL: `http://127.0.0.1:${await freePort()}`, AGENTS_DATA_DIR: join(dir, "data") };
  });
  after(() => rm(dir, { recursive: true, force: true }));
  const agents = (...args: string[]) => runCli(args, env);

  it("messages name the field and what it may be", async () => {
    const [minus, lots, missing, url, port] = await Promise.all([
      agents("submit", spec, "--count", "-1"),
      agents("submit", spec, "--count", "lots"),
      agents("submit", join(dir, "missing.md"), "--count", "1"),
      runCli(["status"], { ...env, NATS_URL: "garbage" }),
      runCli(["status"], { ...env, AGENTS_PORT: "abc" }),
    ]);
    assert.match(minus.stderr, /^agents: count: an integer 1–10000 or infinite \(got "-1"\)$/m);
    assert.match(lots.stderr, /^agents: count: an integer 1–10000 or infinite \(got "lots"\)$/m);
    assert.match(missing.stderr, new RegExp(`^agents: no such file: ${join(dir, "missing.md")}$`, "m"));
    assert.match(url.stderr, /NATS_URL: must be nats:\/\/HOST:PORT .*\(got "garbage"\)/);
    assert.match(port.stderr, /AGENTS_PORT: must be a port number from 0 to 65535 \(got "abc"\)/);
    for (const r of [minus, lots, missing]) assert.equal(r.code, 2, r.stderr);
    for (const r of [url, port]) assert.equal(r.code, 1, r.stderr);
  });
});
