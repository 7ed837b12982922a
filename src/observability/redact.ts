// Keeping secrets out of everything we print: logs, config errors, the CLI's messages and banners.
// Two kinds of leak are covered: a URL that carries credentials (`nats://user:pass@host`, a token as
// `nats://TOKEN@host`), and the value of a secret variable turning up inside some other text (an
// error message quoting a request, say). Structured fields are redacted by name in the logger.

/** Environment variables whose values are secrets: named in messages, never shown. */
export const SECRET_ENV_NAMES = [
  "AGENTS_API_KEY",
  "OPENAI_API_KEY",
  "ARANGO_PASSWORD",
  "ANTHROPIC_API_KEY",
  "CLAUDE_CODE_OAUTH_TOKEN",
  "NATS_PASSWORD",
  "NATS_TOKEN",
] as const;

export const REDACTED = "[redacted]";

// scheme://userinfo@ — userinfo stops at characters a URL authority cannot hold unescaped (and at
// quotes, so a URL inside JSON text is matched up to its end only).
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'\\<>]+)@/gi;

/** The text with the credentials of every URL in it hidden: user:pass@ → user:[redacted]@, token@ → [redacted]@. */
export function redactUrlCredentials(text: string): string {
  if (!text.includes("://")) return text;
  return text.replace(URL_USERINFO, (_, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(":");
    // A lone userinfo is a token (NATS) or a user name; either way it is hidden.
    return colon < 0 ? `${scheme}${REDACTED}@` : `${scheme}${userinfo.slice(0, colon)}:${REDACTED}@`;
  });
}

/** Whether a URL carries credentials (user, password or token before the host). */
export function hasUrlCredentials(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const u = new URL(url);
  return u.username !== "" || u.password !== "";
}

// Shorter values are too likely to occur by chance (and are refused as keys anyway).
const MIN_SECRET_CHARS = 8;

/** The values of the secret variables set in `env`, long enough to be searched for in text. */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  return SECRET_ENV_NAMES.map((n) => env[n]).filter(
    (v): v is string => typeof v === "string" && v.length >= MIN_SECRET_CHARS,
  );
}

/** The text with URL credentials hidden and every given secret value (also JSON-escaped) replaced. */
export function redactText(text: string, secrets: readonly string[] = secretValues()): string {
  let out = redactUrlCredentials(text);
  for (const s of secrets) {
    if (out.includes(s)) out = out.replaceAll(s, REDACTED);
    const escaped = JSON.stringify(s).slice(1, -1);
    if (escaped !== s && out.includes(escaped)) out = out.replaceAll(escaped, REDACTED);
  }
  return out;
}
