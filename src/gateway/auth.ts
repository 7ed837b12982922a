// Who may call the API: a bearer key (AGENTS_API_KEY), optional only in local mode on loopback.
// Requests per minute are limited per valid key, else per client address (local mode: always per
// address, so random tokens cannot each get a bucket); failed authentications are limited per
// address on their own, so keys cannot be guessed at speed.
import { createHash, timingSafeEqual } from "node:crypto";
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { ConfigError, ErrorCode } from "../core/errors.ts";
import { AuthFailures } from "./auth-failures.ts";
import { HttpError } from "./errors.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** Local mode, the valid key or a dashboard session: it may see what /health tells operators. */
    agentsTrusted: boolean;
  }
}

export type AuthSettings = {
  host: string;
  localMode: boolean;
  apiKey: string | undefined;
  ratePerMinute: number;
  /** Failed authentications per minute per client address before 429. */
  failuresPerMinute: number;
};

export type AuthMode = { required: boolean; apiKey: string | undefined; local: boolean };

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost", "[::1]"]);

/** True for the host names local mode is honoured on. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host.toLowerCase());
}

/** Decide whether a key is required; refuse a non-local gateway without one. */
export function resolveAuth(s: Pick<AuthSettings, "host" | "localMode" | "apiKey">): AuthMode {
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
 * Register the key check, the failed-authentication limit and the per-key rate limit. `signedIn`
 * tells whether a request without a bearer token carries a dashboard session instead
 * (src/gateway/web/session.ts).
 */
export async function installAuth(
  app: FastifyInstance,
  s: AuthSettings,
  signedIn: (req: FastifyRequest, mode: AuthMode) => boolean = () => false,
): Promise<AuthMode> {
  const mode = resolveAuth(s);
  const failures = new AuthFailures(s.failuresPerMinute);
  app.decorateRequest("agentsTrusted", false);
  app.addHook("onRequest", async (req, reply) => {
    const token = bearerOf(req);
    const valid = token !== undefined && mode.apiKey !== undefined && sameKey(token, mode.apiKey);
    const session = token === undefined && mode.required && signedIn(req, mode);
    req.agentsTrusted = mode.local || valid || session;
    if (!isProtected(req)) return;
    const checked = mode.required || (token !== undefined && mode.apiKey !== undefined);
    // A session is no guess (the sign-in form has its own limit per address).
    if (!checked || session) return;
    // Before the key's verdict: an address over its limit learns nothing, not even of a right key
    // (which would go on telling a guesser when it found one).
    const waitMs = failures.retryAfterMs(req.ip);
    if (waitMs > 0) {
      const secs = Math.ceil(waitMs / 1000);
      reply.header("retry-after", String(secs));
      throw new HttpError(
        ErrorCode.RateLimited,
        `more than ${s.failuresPerMinute} failed authentications per minute from this address; retry in ${secs} seconds`,
      );
    }
    if (valid) return;
    failures.record(req.ip);
    if (token === undefined)
      throw new HttpError(
        ErrorCode.Unauthorized,
        "this gateway needs an API key: send `Authorization: Bearer <AGENTS_API_KEY>` (browsers: sign in at /)",
      );
    throw new HttpError(ErrorCode.Unauthorized, "the API key is not valid for this gateway");
  });
  await app.register(rateLimit, {
    global: true,
    max: s.ratePerMinute,
    timeWindow: 60_000,
    allowList: (req) => !isProtected(req),
    // Per valid key (a hash of it, so the key never sits in memory twice), else per address. Any
    // other token shares its address's bucket: in local mode a random token is no new bucket.
    keyGenerator: (req) => {
      const token = bearerOf(req);
      return token && !mode.local && mode.apiKey && sameKey(token, mode.apiKey)
        ? `key:${createHash("sha256").update(token).digest("hex").slice(0, 32)}`
        : `ip:${req.ip}`;
    },
    errorResponseBuilder: (_req, ctx) =>
      new HttpError(
        ErrorCode.RateLimited,
        `more than ${ctx.max} requests per minute for this key or address; retry in ${ctx.after}`,
      ),
  });
  return mode;
}
