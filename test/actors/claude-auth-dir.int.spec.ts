// Claude credentials that persist: `agents auth setup` (a real CLI subprocess, the token on stdin)
// stores a token in AGENTS_CLAUDE_AUTH_DIR; a real worker process whose environment has no Claude
// credentials reads it and hands it to the fixture Claude CLI, which checks it as the provider would
// (FIXTURE_EXPECT_TOKEN_FILE: the token it knows; none is "Not logged in", another is refused with
// the 401 the real CLI reports, both recorded from claude 2.1.x and typed against the
// claude-agent-sdk). A rotated token is used after the worker's next recheck, without a restart; the
// worker reports method and expiry, and the gateway's auth metric goes from 1 to 0 when a run is
// refused ("Not logged in").
import assert from "node:assert/strict";
import { readFile, stat, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "../e2e/support.ts";
import { eventually, ofType, type TestStack } from "../support/index.ts";
import { type AuthDirStack, BUDGET_MS, sha, startAuthDirStack, TOKEN_A } from "./claude-auth-dir-harness.ts";

const TOKEN_B = `sk-ant-oat01-${"b".repeat(40)}-rotated`;

describe("given a token stored by `agents auth setup` and a worker whose environment holds no Claude credentials", () => {
  let h: AuthDirStack;
  let stack: TestStack;
  let authDir: string;
  let providerToken: string;
  let url: string;
  let storedA: { kind: string; stored_at: string; expires_at: string };
  before(async () => {
    h = await startAuthDirStack(["--json"]);
    ({ stack, authDir, providerToken } = h);
    storedA = JSON.parse(h.stored.stdout);
    await h.gateway.app.listen({ host: "127.0.0.1", port: 0 });
    url = `http://127.0.0.1:${(h.gateway.app.server.address() as AddressInfo).port}`;
  });
  after(() => h?.stop());

  const setup = (token: string, args: string[] = []) => h.setup(token, args);
  const claudeAuth = () => h.claudeAuth();
  const metrics = () => h.metrics();
  const runClaudeJob = (spec: string) => h.runClaudeJob(spec);

  it("when setup ran, then the token is in a 0600 file of a 0700 directory, and setup said what it stored without the token", async () => {
    assert.equal(storedA.kind, "oauth_token");
    const days = (Date.parse(storedA.expires_at) - Date.parse(storedA.stored_at)) / 86_400_000;
    assert.equal(days, 365);
    assert.equal((await stat(authDir)).mode & 0o777, 0o700);
    assert.equal((await stat(join(authDir, "oauth-token"))).mode & 0o777, 0o600);
    assert.equal((await stat(join(authDir, "stored.json"))).mode & 0o777, 0o600);
    const text = await setup(`${TOKEN_A}\n`);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^stored oauth_token in .* expires by \d{4}-/);
    assert.ok(!text.stdout.includes(TOKEN_A) && !text.stderr.includes(TOKEN_A), "the token is never printed");
    // Storing again replaced stored.json: what the worker reports from now on.
    storedA = JSON.parse(await readFile(join(authDir, "stored.json"), "utf8"));
  });

  it("when the token is given on the command line or is malformed, then nothing is stored and the error says why", async () => {
    const argv = await setup("", [TOKEN_B]);
    assert.equal(argv.code, 2);
    assert.match(argv.stderr, /no token on the command line/);
    assert.ok(!argv.stderr.includes(TOKEN_B));
    const bad = await setup("sk-live-not-a-setup-token-0123456789012345678901234567890\n");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not stored: the token does not start with sk-ant-oat/);
    assert.ok(!bad.stderr.includes("sk-live-not"), "the rejected text is not quoted");
  });

  it("when a Claude task runs, then the fixture CLI got the stored token, and the worker reports ok with method and expiry (status, metrics)", async () => {
    await eventually(async () => {
      const auth = await claudeAuth();
      return auth?.state === "ok" && auth.detail.includes(storedA.stored_at);
    }, BUDGET_MS);
    const events = await runClaudeJob("Write one line about vaults.");
    assert.equal(ofType(events, "task.completed").length, 1, "the run was answered");
    const runs = await stack.agentRuns();
    // The generator's run (the critic's came after it).
    const last = runs.filter((r) => r.prompt.includes("vaults")).at(0) as unknown as {
      oauthTokenSha256: string | null;
      env: string[];
    };
    assert.equal(last.oauthTokenSha256, sha(TOKEN_A));

    const auth = await claudeAuth();
    assert.equal(auth?.method, "oauth_token");
    assert.equal(auth?.expires_at, storedA.expires_at);
    const m = await metrics();
    assert.match(
      m,
      /^agents_executor_auth_state\{worker="[^"]+",route="claude",executor="claude",state="ok"\} 1$/m,
    );
    const expiry = new RegExp(
      `^agents_executor_auth_expiry_timestamp_seconds\\{worker="[^"]+",route="claude",executor="claude",method="oauth_token"\\} ${Date.parse(storedA.expires_at) / 1000}$`,
      "m",
    );
    assert.match(m, expiry);

    const status = await runCli(["auth", "status"], { AGENTS_URL: url });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /workers: 1 live/);
    assert.match(status.stdout, new RegExp(`claude\\s+ok\\s+oauth_token\\s+${storedA.expires_at}`));
    assert.ok(!status.stdout.includes(TOKEN_A));
  });

  it("when the token is rotated (the provider now knows only the new one), then after the next recheck runs get the new token without a restart", async () => {
    await writeFile(providerToken, TOKEN_B);
    const r = await setup(`${TOKEN_B}\n`, ["--json"]);
    assert.equal(r.code, 0, r.stderr);
    const storedB = JSON.parse(r.stdout) as { stored_at: string };
    await eventually(
      async () => (await claudeAuth())?.detail.includes(storedB.stored_at) === true,
      BUDGET_MS,
    );
    const events = await runClaudeJob("Write one line about hinges.");
    assert.equal(ofType(events, "task.completed").length, 1, "the run with the rotated token was answered");
    const last = (await stack.agentRuns()).filter((r) => r.prompt.includes("hinges")).at(0) as unknown as {
      oauthTokenSha256: string | null;
    };
    assert.equal(last.oauthTokenSha256, sha(TOKEN_B));
  });
});
