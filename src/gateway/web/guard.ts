// Requests a browser could be tricked into sending. A state-changing request (anything but GET,
// HEAD, OPTIONS) that a browser marks as coming from another site or origin is refused, so another
// page cannot stop the system or submit jobs with the dashboard's cookie, nor in local mode without
// one. Clients that are not browsers send neither header and are not affected. In local mode the
// Host must be a loopback name too: otherwise a page whose domain resolves to 127.0.0.1 (DNS
// rebinding) would be same-origin with the gateway and could read it.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { isLoopback } from "../auth.ts";
import { HttpCode, HttpError } from "../errors.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const SAME = new Set(["same-origin", "none"]);

/** The host name of a Host header value, without its port ("[::1]:8002" → "[::1]"). */
export function hostName(host: string): string {
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  return host.split(":")[0] ?? host;
}

/** Why a request is refused, or null when it may go on. */
export function refusal(req: Pick<FastifyRequest, "method" | "headers">, localMode: boolean): string | null {
  const host = req.headers.host ?? "";
  if (localMode && !isLoopback(hostName(host)))
    return `in local mode this gateway answers only to loopback host names, not "${hostName(host)}"`;
  if (SAFE_METHODS.has(req.method)) return null;
  const site = req.headers["sec-fetch-site"];
  if (typeof site === "string" && !SAME.has(site))
    return `a ${req.method} from another ${site === "same-site" ? "origin" : "site"} is refused`;
  const origin = req.headers.origin;
  if (typeof origin === "string" && origin !== "null") {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      return "the Origin header is not a URL";
    }
    if (originHost !== host) return `a ${req.method} from origin ${origin} is refused`;
  } else if (origin === "null") return "a request from an opaque origin is refused";
  return null;
}

/** Refuse cross-site writes (and, in local mode, non-loopback Host names) with 403 FORBIDDEN. */
export function installGuard(app: FastifyInstance, localMode: boolean): void {
  app.addHook("onRequest", async (req) => {
    const why = refusal(req, localMode);
    if (why) throw new HttpError(HttpCode.Forbidden, why);
  });
}
