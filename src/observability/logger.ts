// Structured logs (pino) with secrets redacted wherever they might appear: fields by name (below),
// and, on the finished line, URL credentials and the values of the secret variables (an error
// message quoting a URL or a request carries them in free text, which no field path reaches).
import { type DestinationStream, type Logger as PinoLogger, pino } from "pino";
import pretty from "pino-pretty";
import type { Logger } from "../core/ports/logger.ts";
import { REDACTED, redactText, SECRET_ENV_NAMES, secretValues } from "./redact.ts";

// Field paths: `*` matches one level, so the places secrets sit in nested objects (request options
// and headers inside errors, a config object) are listed by depth.
const SECRET_FIELDS = [
  "apiKey",
  "api_key",
  "authorization",
  "password",
  "token",
  "secret",
  "cookie",
  ...SECRET_ENV_NAMES,
];
const REDACT = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  ...["authorization", "cookie", '["x-api-key"]'].flatMap((h) => {
    const at = h.startsWith("[") ? h : `.${h}`;
    return [`headers${at}`, `*.headers${at}`, `*.*.headers${at}`];
  }),
  "*.auth.password",
  "*.*.auth.password",
];

/** A destination that writes each finished line with URL credentials and secret values removed. */
function scrubbing(dest: DestinationStream, secrets: readonly string[]): DestinationStream {
  return { write: (line: string) => dest.write(redactText(line, secrets)) };
}

/**
 * Where logs go by default: stderr, as JSON lines, or (LOG_FORMAT=pretty, or a terminal when
 * LOG_FORMAT is unset or auto) as pino-pretty's coloured lines. Pretty printing runs in this process
 * and synchronously, so the last lines before an exit are not lost.
 */
export function defaultDestination(format = process.env.LOG_FORMAT ?? "auto"): DestinationStream {
  const wantPretty = format === "pretty" || (format !== "json" && process.stderr.isTTY === true);
  if (!wantPretty) return pino.destination(2);
  return pretty({
    destination: 2,
    sync: true,
    colorize: process.stderr.isTTY === true,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname",
  });
}

/**
 * A pino logger for one component; secrets are redacted. Writes to stderr (see defaultDestination)
 * or `destination`.
 * The secret values searched for are those in the environment when the logger is made. It is a
 * Logger (our type, what everything else takes) and a PinoLogger (what fastify takes).
 */
export function createLogger(
  component: string,
  level = process.env.LOG_LEVEL ?? "info",
  destination: DestinationStream = defaultDestination(),
): PinoLogger {
  return pino(
    { name: component, level, redact: { paths: REDACT, censor: REDACTED } },
    scrubbing(destination, secretValues()),
  );
}

export type { Logger, PinoLogger };
