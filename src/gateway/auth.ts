// Who may call the API: a bearer key (AGENTS_API_KEY), optional only in local mode on loopback;
// requests per minute are limited per key.
import { createHash, timingSafeEqual } from "node:crypto";
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { ConfigError, ErrorCode } from "../core/errors.ts";
import { HttpError } from "./errors.ts";

export type AuthSettings = {
  host: string;
  localMode: boolean;
  apiKey: string | undefined;
  ratePerMinute: number;
};

export type AuthMode = { required: boolean; apiKey: string | undefined; local: boolean };

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost", "[::1]"]);

/** True for the host names local mode is honoured on. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host.toLowerCase());
}

/** Decide whether a key is required; refuse a non-local gateway without one. */
export function resolveAuth(s: AuthSettings): AuthMode {
  const local = s.localMode && isLoopback(s.host);
  if (!local && !s.apiKey) {
    const why = s.localMode
      ? `AGENTS_HOST=${s.host} is not loopback, so local mode does not apply`
      : "AGENTS_LOCAL_MODE=false";
    throw new ConfigError(
      `the gateway needs AGENTS_API_KEY (${why}); set a key of 16+ characters, or bind AGENTS_HOST=127.0.0.1 with AGENTS_LOCAL_MODE=true`,
    );
  }
  return { required: !local, apiKey: s.apiKey, local };
}

/** Only the API needs a key; health, readiness, metrics and the docs stay open for probes. */
export function isProtected(req: FastifyRequest): boolean {
  // The matched route's pattern when there is one, so no spelling of a URL slips past.
  return (req.routeOptions.url ?? req.url).startsWith("/v1/") || req.url.startsWith("/v1/");
}

/** The bearer token of a request, if any. */
export function bearerOf(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

// Compare in constant time (hashing first makes the lengths equal).
function sameKey(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Register the key check and the per-key rate limit. `signedIn` tells whether a request without a
 * bearer token carries a dashboard session instead (src/gateway/web/session.ts).
 */
export async function installAuth(
  app: FastifyInstance,
  s: AuthSettings,
  signedIn: (req: FastifyRequest, mode: AuthMode) => boolean = () => false,
): Promise<AuthMode> {
  const mode = resolveAuth(s);
  app.addHook("onRequest", async (req) => {
    if (!isProtected(req)) return;
    const token = bearerOf(req);
    if (token === undefined) {
      if (mode.required && !signedIn(req, mode))
        throw new HttpError(
          ErrorCode.Unauthorized,
          "this gateway needs an API key: send `Authorization: Bearer <AGENTS_API_KEY>` (browsers: sign in at /)",
        );
      return;
    }
    if (mode.apiKey && !sameKey(token, mode.apiKey))
      throw new HttpError(ErrorCode.Unauthorized, "the API key is not valid for this gateway");
  });
  await app.register(rateLimit, {
    global: true,
    max: s.ratePerMinute,
    timeWindow: 60_000,
    allowList: (req) => !isProtected(req),
    // Per key: a hash of the bearer token, so the key itself never sits in memory twice; else the address.
    keyGenerator: (req) => {
      const token = bearerOf(req);
      return token ? `key:${createHash("sha256").update(token).digest("hex").slice(0, 32)}` : `ip:${req.ip}`;
    },
    errorResponseBuilder: (_req, ctx) =>
      new HttpError(
        ErrorCode.RateLimited,
        `more than ${ctx.max} requests per minute for this key; retry in ${ctx.after}`,
      ),
  });
  return mode;
}
