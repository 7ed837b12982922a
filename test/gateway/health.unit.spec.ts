import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { agentAuthStatus } from "../../src/gateway/health.ts";

describe("agent credentials in /health", () => {
  let home: string;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), "agents-home-"));
  });
  after(() => rm(home, { recursive: true, force: true }));

  it("given nothing, then none", async () => {
    const a = await agentAuthStatus({}, home);
    assert.equal(a.effective, "none");
    assert.equal(a.credentials_file.exists, false);
  });

  it("given a credentials file, then its expiry and never its tokens", async () => {
    await mkdir(join(home, ".claude"), { recursive: true });
    const expiresAt = Date.parse("2031-01-02T03:04:05.000Z");
    const secret = "sk-ant-oat01-SECRET";
    await writeFile(
      join(home, ".claude", ".credentials.json"),
      JSON.stringify({ claudeAiOauth: { accessToken: secret, refreshToken: secret, expiresAt } }),
    );
    const a = await agentAuthStatus({}, home);
    assert.equal(a.effective, "credentials_file");
    assert.equal(a.credentials_file.expires_at, "2031-01-02T03:04:05.000Z");
    assert.equal(a.credentials_file.expired, false);
    assert.doesNotMatch(JSON.stringify(a), /SECRET/);
  });

  it("given ANTHROPIC_API_KEY and an OAuth token, then the API key wins, and neither is shown", async () => {
    const env = { ANTHROPIC_API_KEY: "sk-ant-api-SECRET", CLAUDE_CODE_OAUTH_TOKEN: "oat-SECRET" };
    const a = await agentAuthStatus(env, home);
    assert.equal(a.effective, "anthropic_api_key");
    assert.equal(a.oauth_token, true);
    assert.doesNotMatch(JSON.stringify(a), /SECRET/);
    assert.equal((await agentAuthStatus({ CLAUDE_CODE_OAUTH_TOKEN: "x" }, home)).effective, "oauth_token");
  });
});
