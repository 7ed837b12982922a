// Claude credentials kept in a directory (AGENTS_CLAUDE_AUTH_DIR: a volume or secret), written by
// `agents auth setup` and read by workers whose environment holds no Claude credentials. One kind at a
// time: a subscription token from `claude setup-token` (oauth-token), or a copy of the CLI's
// `.credentials.json` (claude/.credentials.json, so CLAUDE_CONFIG_DIR can point at claude/), with
// stored.json saying which and when. Files are 0600 in a 0700 directory and are replaced by
// write-then-rename, so a reader sees the old credentials or the new ones, never half of either.
// Nothing here logs or returns a secret to a caller that prints.
import { createHash, randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

export const TOKEN_FILE = "oauth-token";
export const CONFIG_SUBDIR = "claude";
export const CREDENTIALS_FILE = ".credentials.json";
export const META_FILE = "stored.json";

/**
 * How long a `claude setup-token` token lasts: the CLI (2.1.x) mints it for 31536000 s and says
 * "This will guide you through long-lived (1-year) auth token setup"; an organisation's policy can
 * make it shorter (the CLI then names the days), hence `agents auth setup --token-days`.
 */
export const SETUP_TOKEN_DAYS = 365;

/** The prefix of the tokens `claude setup-token` prints (sk-ant-oat01-…). */
const TOKEN_PREFIX = "sk-ant-oat";

export class CredentialsShapeError extends Error {}

/** What stored.json records (no secret). */
export const StoredMeta = z.object({
  kind: z.enum(["oauth_token", "credentials_file"]),
  stored_at: z.iso.datetime(),
  /** Token: stored_at + its lifetime (an upper bound: it was minted before it was stored). File: its expiresAt. */
  expires_at: z.iso.datetime().nullable(),
});
export type StoredMeta = z.infer<typeof StoredMeta>;

/** A pasted token, trimmed; throws CredentialsShapeError saying what is wrong (never quoting it). */
export function validateToken(text: string): string {
  const token = text.trim();
  if (token === "")
    throw new CredentialsShapeError("no token given: paste the token `claude setup-token` printed");
  if (/\s/.test(token))
    throw new CredentialsShapeError(
      "the token holds whitespace: paste the one line `claude setup-token` printed",
    );
  if (!token.startsWith(TOKEN_PREFIX))
    throw new CredentialsShapeError(
      `the token does not start with ${TOKEN_PREFIX}: is it the one \`claude setup-token\` printed (not an API key)?`,
    );
  if (token.length < 40)
    throw new CredentialsShapeError(`the token is too short (${token.length} characters)`);
  return token;
}

const CredentialsShape = z.object({
  claudeAiOauth: z.object({
    accessToken: z.string().min(1),
    refreshToken: z.string().min(1).optional(),
    expiresAt: z.number().finite().positive(),
  }),
});

/** A credentials file's text: JSON with claudeAiOauth.accessToken and .expiresAt (ms); its expiry. */
export function validateCredentialsFile(text: string): { expiresAt: Date } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CredentialsShapeError(
      "the credentials file is not JSON (expected the CLI's .credentials.json)",
    );
  }
  const parsed = CredentialsShape.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join(".") || "(top level)";
    throw new CredentialsShapeError(
      `the credentials file has no valid ${path} (${issue?.message ?? "invalid"}); expected {"claudeAiOauth": {"accessToken": …, "expiresAt": <ms>}}`,
    );
  }
  return { expiresAt: new Date(parsed.data.claudeAiOauth.expiresAt) };
}

/** Store a token (replacing whatever was stored); returns what stored.json now says. */
export async function storeToken(
  dir: string,
  token: string,
  now = new Date(),
  days = SETUP_TOKEN_DAYS,
): Promise<StoredMeta> {
  const valid = validateToken(token);
  await ensureDir(dir);
  await writeAtomic(join(dir, TOKEN_FILE), `${valid}\n`);
  const meta: StoredMeta = {
    kind: "oauth_token",
    stored_at: now.toISOString(),
    expires_at: new Date(now.getTime() + days * 86_400_000).toISOString(),
  };
  await writeAtomic(join(dir, META_FILE), `${JSON.stringify(meta)}\n`);
  await rm(join(dir, CONFIG_SUBDIR, CREDENTIALS_FILE), { force: true });
  return meta;
}

/** Store a copy of a credentials file (replacing whatever was stored). */
export async function storeCredentialsFile(dir: string, text: string, now = new Date()): Promise<StoredMeta> {
  const { expiresAt } = validateCredentialsFile(text);
  await ensureDir(dir);
  await ensureDir(join(dir, CONFIG_SUBDIR));
  await writeAtomic(join(dir, CONFIG_SUBDIR, CREDENTIALS_FILE), text);
  const meta: StoredMeta = {
    kind: "credentials_file",
    stored_at: now.toISOString(),
    expires_at: expiresAt.toISOString(),
  };
  await writeAtomic(join(dir, META_FILE), `${JSON.stringify(meta)}\n`);
  await rm(join(dir, TOKEN_FILE), { force: true });
  return meta;
}

/** What a worker found in the directory: the environment for the Claude CLI child, and what to report. */
export type StoredCredentials =
  | { kind: "none"; detail: string }
  | {
      kind: "oauth_token" | "credentials_file";
      /** Set on the CLI child only: CLAUDE_CODE_OAUTH_TOKEN, or CLAUDE_CONFIG_DIR. */
      env: Record<string, string>;
      stored_at: string | null;
      expires_at: string | null;
      /** Changes when the stored credentials change (a hash, kept in the worker). */
      fingerprint: string;
    };

/** Read the directory as it is now (every recheck reads it again, so a rotation is seen). */
export async function readStoredCredentials(dir: string): Promise<StoredCredentials> {
  const meta = await readFile(join(dir, META_FILE), "utf8").then(
    (t) => StoredMeta.safeParse(JSON.parse(t)).data,
    () => undefined,
  );
  const token = await readFile(join(dir, TOKEN_FILE), "utf8").then(
    (t) => t.trim(),
    () => undefined,
  );
  if (token) {
    return {
      kind: "oauth_token",
      env: { CLAUDE_CODE_OAUTH_TOKEN: token },
      stored_at: meta?.kind === "oauth_token" ? meta.stored_at : null,
      expires_at: meta?.kind === "oauth_token" ? meta.expires_at : null,
      fingerprint: hash(token),
    };
  }
  const configDir = join(dir, CONFIG_SUBDIR);
  const file = await readFile(join(configDir, CREDENTIALS_FILE), "utf8").catch(() => undefined);
  if (file !== undefined) {
    // Read for its expiry at every recheck: the CLI rewrites the file when it refreshes the login.
    let expires: string | null = null;
    try {
      expires = validateCredentialsFile(file).expiresAt.toISOString();
    } catch {
      expires = null;
    }
    return {
      kind: "credentials_file",
      env: { CLAUDE_CONFIG_DIR: configDir },
      stored_at: meta?.kind === "credentials_file" ? meta.stored_at : null,
      expires_at: expires,
      fingerprint: hash(file),
    };
  }
  return { kind: "none", detail: `no Claude credentials stored in ${dir} (run \`agents auth setup\`)` };
}

function hash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 32);
}

async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode is masked by the umask and leaves an existing directory as it was.
  await chmod(dir, 0o700);
}

/** Write a sibling temp file (0600) and rename it over the target: readers never see a partial file. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(tmp, text, { mode: 0o600, flag: "wx" });
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
