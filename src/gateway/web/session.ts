// Signing in to the dashboard outside local mode: the browser posts the API key once, and the
// gateway answers with an HttpOnly, SameSite=Strict session cookie. The cookie is not the key: it
// is an expiry time and an HMAC of it keyed by the API key, so any gateway holding the same key can
// check it without a session store, rotating the key ends every session, and a stolen cookie
// expires. The key itself travels only in that POST body (never a URL) and is never logged.
import { createHmac, timingSafeEqual } from "node:crypto";
import cookie from "@fastify/cookie";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { ErrorCode } from "../../core/errors.ts";
import type { AuthMode } from "../auth.ts";
import { ErrorBody, HttpError } from "../errors.ts";

export const SESSION_COOKIE = "agents_session";
/** How long a session lasts (ms): 12 hours. */
export const SESSION_TTL_MS = 12 * 3_600_000;
/** Sign-in attempts per minute per client address. */
export const SIGN_IN_PER_MINUTE = 10;

const SessionState = z.object({
  required: z.boolean().describe("false in local mode: nothing to sign in to"),
  signed_in: z.boolean(),
  expires_at: z.string().nullable(),
});

function mac(apiKey: string, expiresAt: number): Buffer {
  return createHmac("sha256", apiKey).update(`agents-dashboard-session\n${expiresAt}`).digest();
}

/** A session token that expires at `expiresAt` (ms since the epoch). */
export function sessionToken(apiKey: string, expiresAt: number): string {
  return `${expiresAt}.${mac(apiKey, expiresAt).toString("base64url")}`;
}

/** The token's expiry when it is genuine and not expired, else null. */
export function verifySession(apiKey: string, token: string | undefined, now = Date.now()): number | null {
  const m = token ? /^(\d{13})\.([A-Za-z0-9_-]{43})$/.exec(token) : null;
  if (!m) return null;
  const expiresAt = Number(m[1]);
  if (expiresAt <= now || expiresAt > now + SESSION_TTL_MS) return null;
  const given = Buffer.from(m[2] ?? "", "base64url");
  const expected = mac(apiKey, expiresAt);
  return given.length === expected.length && timingSafeEqual(given, expected) ? expiresAt : null;
}

/** Whether a request carries a valid session cookie for this key. */
export function hasSession(req: FastifyRequest, apiKey: string | undefined): boolean {
  return apiKey !== undefined && verifySession(apiKey, req.cookies?.[SESSION_COOKIE]) !== null;
}

// Secure when the browser reached us over TLS (directly or through a proxy that says so).
function secure(req: FastifyRequest): boolean {
  return req.protocol === "https" || req.headers["x-forwarded-proto"] === "https";
}

function setSession(req: FastifyRequest, reply: FastifyReply, value: string, maxAgeS: number): void {
  reply.setCookie(SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: "strict",
    path: "/",
    maxAge: maxAgeS,
    secure: secure(req),
  });
}

/** The cookie parser: registered before the auth check, which reads the session cookie. */
export const cookies = cookie;

/** Register /auth/session (state, sign in, sign out). */
export async function installSession(app: FastifyInstance, mode: AuthMode): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const state = (req: FastifyRequest) => {
    const expires = mode.apiKey ? verifySession(mode.apiKey, req.cookies[SESSION_COOKIE]) : null;
    return {
      required: mode.required,
      signed_in: !mode.required || expires !== null,
      expires_at: expires === null ? null : new Date(expires).toISOString(),
    };
  };

  r.get(
    "/auth/session",
    {
      schema: {
        tags: ["auth"],
        summary: "Whether the dashboard needs a sign-in, and whether this browser has one",
        security: [],
        response: { 200: SessionState },
      },
    },
    async (req) => state(req),
  );

  r.post(
    "/auth/session",
    {
      schema: {
        tags: ["auth"],
        summary: "Sign in with the API key: sets an HttpOnly, SameSite=Strict session cookie (12 h)",
        security: [],
        body: z.object({ api_key: z.string().min(1).max(1000) }).strict(),
        response: { 200: SessionState, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
      },
      // Guessing keys through this form is limited per client address, apart from the API's limit.
      config: {
        rateLimit: {
          max: SIGN_IN_PER_MINUTE,
          timeWindow: 60_000,
          allowList: () => false,
          keyGenerator: (req: FastifyRequest) => `sign-in:${req.ip}`,
        },
      },
    },
    async (req, reply) => {
      if (!mode.required || !mode.apiKey) return state(req);
      const expiresAt = Date.now() + SESSION_TTL_MS;
      // The keys are compared through their MACs of the same message: in constant time.
      const probe = sessionToken(req.body.api_key, expiresAt);
      if (verifySession(mode.apiKey, probe) === null)
        throw new HttpError(ErrorCode.Unauthorized, "the API key is not valid for this gateway");
      setSession(req, reply, sessionToken(mode.apiKey, expiresAt), SESSION_TTL_MS / 1000);
      req.log.info({ expires_at: new Date(expiresAt).toISOString() }, "dashboard signed in");
      return { required: true, signed_in: true, expires_at: new Date(expiresAt).toISOString() };
    },
  );

  r.delete(
    "/auth/session",
    {
      schema: {
        tags: ["auth"],
        summary: "Sign out: clears the session cookie",
        security: [],
        response: { 200: SessionState, 403: ErrorBody },
      },
    },
    async (req, reply) => {
      setSession(req, reply, "", 0);
      return { required: mode.required, signed_in: !mode.required, expires_at: null };
    },
  );
}
