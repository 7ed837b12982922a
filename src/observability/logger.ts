// Structured logs (pino) with secrets redacted wherever they might appear.
import { type Logger, pino } from "pino";

const REDACT = [
  "apiKey",
  "api_key",
  "authorization",
  "headers.authorization",
  "req.headers.authorization",
  "*.apiKey",
  "*.api_key",
  "*.authorization",
  "*.password",
  "*.token",
  "AGENTS_API_KEY",
  "OPENAI_API_KEY",
  "ARANGO_PASSWORD",
  "ANTHROPIC_API_KEY",
  "CLAUDE_CODE_OAUTH_TOKEN",
  "*.AGENTS_API_KEY",
  "*.OPENAI_API_KEY",
  "*.ARANGO_PASSWORD",
  "*.ANTHROPIC_API_KEY",
  "*.CLAUDE_CODE_OAUTH_TOKEN",
];

/** A pino logger for one component; secrets are redacted. Writes JSON to stderr. */
export function createLogger(component: string, level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino(
    { name: component, level, redact: { paths: REDACT, censor: "[redacted]" } },
    pino.destination(2),
  );
}

export type { Logger };
