// Claude credentials that persist, refused and replaced (the setup is claude-auth-dir.int.spec.ts's,
// split off so each file stays well inside the suite's per-file budget): `agents auth setup` (a real CLI subprocess, the token on stdin)
// stores a token in AGENTS_CLAUDE_AUTH_DIR; a real worker process whose environment has no Claude
// credentials reads it and hands it to the fixture Claude CLI, which checks it as the provider would
// (FIXTURE_EXPECT_TOKEN_FILE: the token it knows; none is "Not logged in", another is refused with
// the 401 the real CLI reports, both recorded from claude 2.1.x and typed against the
// claude-agent-sdk). A rotated token is used after the worker's next recheck, without a restart; the
// worker reports method and expiry, and the gateway's auth metric goes from 1 to 0 when a run is
// refused ("Not logged in").
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Subjects } from "../../src/core/events/index.ts";
import { eventually, ofType, type TestStack } from "../support/index.ts";
import { type AuthDirStack, BUDGET_MS, sha, startAuthDirStack } from "./claude-auth-dir-harness.ts";

describe("given a stored token that a run is refused with, then a stored credentials file", () => {
  let h: AuthDirStack;
  let stack: TestStack;
  let authDir: string;
  let providerToken: string;
  before(async () => {
    h = await startAuthDirStack();
    ({ stack, authDir, providerToken } = h);
  });
  after(() => h?.stop());

  const setup = (token: string, args: string[] = []) => h.setup(token, args);
  const health = () => h.health();
  const claudeAuth = () => h.claudeAuth();
  const metrics = () => h.metrics();
  const runClaudeJob = (spec: string) => h.runClaudeJob(spec);

  it("when a run is refused with Not logged in, then agents_executor_auth_state goes from 1 to 0 with state failed", async () => {
    await eventually(async () => (await claudeAuth())?.state === "ok", BUDGET_MS);
    assert.match(await metrics(), /^agents_executor_auth_state\{[^}]*route="claude"[^}]*state="ok"\} 1$/m);
    const jobId = await stack.submit({
      spec: "Write one line about logins.\nFIXTURE: not-logged-in",
      count: 1,
      model: "sonnet",
    });
    const events = await stack.waitFor(
      Subjects.task(`${jobId}-i1-g`),
      (es) => ofType(es, "task.dead_lettered").length > 0,
      BUDGET_MS,
    );
    assert.equal(ofType(events, "task.failed")[0]?.event.data.reason, "auth");
    await eventually(async () => (await claudeAuth())?.state === "failed", BUDGET_MS);
    const m = await metrics();
    assert.match(m, /^agents_executor_auth_state\{[^}]*route="claude"[^}]*state="failed"\} 0$/m);
    assert.doesNotMatch(m, /^agents_executor_auth_state\{[^}]*route="claude"[^}]*state="ok"\}/m);
    assert.equal((await health()).status, "degraded");
  });

  it("when a credentials file is stored instead, then the CLI gets CLAUDE_CONFIG_DIR at its copy, the worker reports method credentials_file with its expiresAt, and the metric is 1 again", async () => {
    const access = `sk-ant-oat01-${"c".repeat(40)}-access`;
    const expiresAt = Date.now() + 8 * 3_600_000;
    const file = join(stack.dir, "credentials.json");
    await writeFile(
      file,
      JSON.stringify({ claudeAiOauth: { accessToken: access, refreshToken: "sk-ant-ort01-r", expiresAt } }),
    );
    await writeFile(providerToken, access);
    const r = await setup("", ["--credentials-file", file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^stored credentials_file in /);
    // New credentials: the failed state clears at the next recheck.
    await eventually(async () => (await claudeAuth())?.state === "ok", BUDGET_MS);
    const auth = await claudeAuth();
    assert.equal(auth?.method, "credentials_file");
    assert.equal(auth?.expires_at, new Date(expiresAt).toISOString());
    assert.match(await metrics(), /^agents_executor_auth_state\{[^}]*route="claude"[^}]*state="ok"\} 1$/m);
    const events = await runClaudeJob("Write one line about keyrings.");
    assert.equal(ofType(events, "task.completed").length, 1, "the run with the file's token was answered");
    const last = (await stack.agentRuns()).filter((x) => x.prompt.includes("keyrings")).at(0) as unknown as {
      oauthTokenSha256: string | null;
      configDir: string | null;
    };
    // The fixture prefers CLAUDE_CODE_OAUTH_TOKEN to the file, as the CLI does: the file's token means
    // the rotated-out token was not handed over any more.
    assert.equal(last.oauthTokenSha256, sha(access));
    assert.equal(last.configDir, join(authDir, "claude"));
  });
});
