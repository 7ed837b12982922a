// The Claude credentials directory: what `agents auth setup` accepts (a setup-token token, a
// .credentials.json with claudeAiOauth.expiresAt), how it stores them (0600 files in a 0700
// directory, one kind at a time) and what a worker reads back (the CLI child's variables, the expiry).
// The credentials file's shape is the Claude CLI's own (~/.claude/.credentials.json: claudeAiOauth
// with accessToken, refreshToken, expiresAt in ms), as src/gateway/health.ts reads it too.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { usesStoredCredentials } from "../../src/executors/claude.ts";
import {
  CredentialsShapeError,
  readStoredCredentials,
  storeCredentialsFile,
  storeToken,
  validateCredentialsFile,
  validateToken,
} from "../../src/executors/claude-auth-dir.ts";

const TOKEN = `sk-ant-oat01-${"x".repeat(60)}`;
const CREDENTIALS = JSON.stringify({
  claudeAiOauth: {
    accessToken: "sk-ant-oat01-access",
    refreshToken: "sk-ant-ort01-refresh",
    expiresAt: 1_900_000_000_000,
  },
});

describe("validateToken", () => {
  it("given a pasted token with its newline, then it is trimmed", () => {
    assert.equal(validateToken(`  ${TOKEN}\n`), TOKEN);
  });
  for (const [what, text, message] of [
    ["nothing", "  \n", /no token given/],
    ["an API key", `sk-ant-api03-${"y".repeat(60)}`, /does not start with sk-ant-oat/],
    ["two words", `${TOKEN} extra`, /holds whitespace/],
    ["a cut token", "sk-ant-oat01-abc", /too short/],
  ] as const) {
    it(`given ${what}, then a CredentialsShapeError says what is wrong without quoting it`, () => {
      assert.throws(
        () => validateToken(text),
        (err: unknown) =>
          err instanceof CredentialsShapeError && message.test(err.message) && !err.message.includes("yyyy"),
      );
    });
  }
});

describe("validateCredentialsFile", () => {
  it("given the CLI's file, then its expiry is expiresAt", () => {
    assert.equal(
      validateCredentialsFile(CREDENTIALS).expiresAt.toISOString(),
      new Date(1_900_000_000_000).toISOString(),
    );
  });
  for (const [what, text, message] of [
    ["not JSON", "{oops", /not JSON/],
    ["no claudeAiOauth", "{}", /no valid claudeAiOauth/],
    [
      "expiresAt a string",
      JSON.stringify({ claudeAiOauth: { accessToken: "a", expiresAt: "soon" } }),
      /claudeAiOauth\.expiresAt/,
    ],
    ["no accessToken", JSON.stringify({ claudeAiOauth: { expiresAt: 1 } }), /claudeAiOauth\.accessToken/],
  ] as const) {
    it(`given ${what}, then the error names the field`, () => {
      assert.throws(
        () => validateCredentialsFile(text),
        (err: unknown) => err instanceof CredentialsShapeError && message.test(err.message),
      );
    });
  }
});

describe("storing and reading the directory", () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "agents-claude-auth-"));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it("given nothing stored, then a worker finds none and is told to run setup", async () => {
    const found = await readStoredCredentials(join(root, "empty"));
    assert.equal(found.kind, "none");
    assert.match(found.kind === "none" ? found.detail : "", /agents auth setup/);
  });

  it("given a stored token, then files are 0600 in a 0700 directory, no temp file is left, and a worker gets CLAUDE_CODE_OAUTH_TOKEN with stored + 365 days", async () => {
    const dir = join(root, "token");
    const now = new Date("2026-01-01T00:00:00.000Z");
    const meta = await storeToken(dir, `${TOKEN}\n`, now);
    assert.deepEqual(meta, {
      kind: "oauth_token",
      stored_at: "2026-01-01T00:00:00.000Z",
      expires_at: "2027-01-01T00:00:00.000Z",
    });
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    for (const f of await readdir(dir)) {
      assert.ok(!f.endsWith(".tmp"), `${f} is no temp file`);
      assert.equal((await stat(join(dir, f))).mode & 0o777, 0o600, f);
    }
    assert.ok(
      !(await readFile(join(dir, "stored.json"), "utf8")).includes(TOKEN),
      "the metadata holds no secret",
    );
    const found = await readStoredCredentials(dir);
    assert.equal(found.kind, "oauth_token");
    if (found.kind !== "oauth_token") return;
    assert.deepEqual(found.env, { CLAUDE_CODE_OAUTH_TOKEN: TOKEN });
    assert.equal(found.expires_at, "2027-01-01T00:00:00.000Z");
    assert.ok(!found.fingerprint.includes(TOKEN));
  });

  it("given a rotated token, then the fingerprint changes; given a credentials file after it, then the token is gone and CLAUDE_CONFIG_DIR points at the copy", async () => {
    const dir = join(root, "rotate");
    await storeToken(dir, TOKEN);
    const first = await readStoredCredentials(dir);
    await storeToken(dir, `sk-ant-oat01-${"z".repeat(60)}`);
    const second = await readStoredCredentials(dir);
    assert.ok(first.kind === "oauth_token" && second.kind === "oauth_token");
    assert.notEqual(first.fingerprint, second.fingerprint);

    const meta = await storeCredentialsFile(dir, CREDENTIALS);
    assert.equal(meta.kind, "credentials_file");
    assert.equal(meta.expires_at, new Date(1_900_000_000_000).toISOString());
    const found = await readStoredCredentials(dir);
    assert.equal(found.kind, "credentials_file");
    if (found.kind !== "credentials_file") return;
    assert.deepEqual(found.env, { CLAUDE_CONFIG_DIR: join(dir, "claude") });
    assert.equal(await readFile(join(dir, "claude", ".credentials.json"), "utf8"), CREDENTIALS);
    assert.equal((await stat(join(dir, "claude"))).mode & 0o777, 0o700);
    assert.equal((await stat(join(dir, "claude", ".credentials.json"))).mode & 0o777, 0o600);
  });

  it("given the CLI refreshed the stored file, then the next read reports its new expiry", async () => {
    const dir = join(root, "refresh");
    await storeCredentialsFile(dir, CREDENTIALS);
    const refreshed = JSON.stringify({ claudeAiOauth: { accessToken: "new", expiresAt: 1_950_000_000_000 } });
    await writeFile(join(dir, "claude", ".credentials.json"), refreshed);
    const found = await readStoredCredentials(dir);
    assert.equal(
      found.kind === "credentials_file" ? found.expires_at : null,
      new Date(1_950_000_000_000).toISOString(),
    );
  });

  it("given a malformed token, then nothing is written", async () => {
    const dir = join(root, "bad");
    await assert.rejects(storeToken(dir, "not-a-token"), CredentialsShapeError);
    assert.equal((await readStoredCredentials(dir)).kind, "none");
  });
});

describe("usesStoredCredentials", () => {
  it("given a directory and no credentials in the environment, then the directory is used", () => {
    assert.equal(usesStoredCredentials("/auth", { PATH: "/bin", CLAUDE_CODE_OAUTH_TOKEN: "" }), true);
  });
  it("given a token or an API key in the environment, then the environment wins", () => {
    assert.equal(usesStoredCredentials("/auth", { CLAUDE_CODE_OAUTH_TOKEN: TOKEN }), false);
    assert.equal(usesStoredCredentials("/auth", { ANTHROPIC_API_KEY: "sk-ant-api03-k" }), false);
  });
  it("given no directory, then nothing is read", () => {
    assert.equal(usesStoredCredentials(undefined, {}), false);
  });
});
