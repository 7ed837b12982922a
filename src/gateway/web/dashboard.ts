// The dashboard page: the gateway serves its bundle itself (no other process), from memory, with
// a strict Content-Security-Policy: scripts, styles and connections only from this origin, no inline
// script, no framing. The page is public (it holds no data); everything it shows comes from the API,
// which needs the key or a session outside local mode.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { FastifyPluginAsync, FastifyReply } from "fastify";
import { errorMessage } from "../../core/errors.ts";
import type { GatewayContext } from "../context.ts";
import { buildDashboard, DASHBOARD_FILES, isBuilt, WEB_DIST } from "./build.ts";

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

type Asset = { body: Buffer; type: string; etag: string };

/** Headers every dashboard response carries. */
export function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header("content-security-policy", CONTENT_SECURITY_POLICY)
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "no-referrer")
    .header("x-frame-options", "DENY")
    .header("cross-origin-opener-policy", "same-origin");
}

async function loadAssets(dir: string): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const [path, file] of Object.entries(DASHBOARD_FILES)) {
    const body = await readFile(join(dir, file));
    const ext = file.slice(file.lastIndexOf("."));
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
    assets.set(path, { body, type: TYPES[ext] ?? "application/octet-stream", etag });
  }
  return assets;
}

export type DashboardOptions = { ctx: GatewayContext; dir?: string };

/** GET / and /assets/*: the bundle, built first when it is missing. */
export const dashboardRoutes: FastifyPluginAsync<DashboardOptions> = async (app, { ctx, dir = WEB_DIST }) => {
  const log = ctx.deps.log;
  let assets: Map<string, Asset> | null = null;
  try {
    if (!(await isBuilt(dir))) {
      const report = await buildDashboard(dir);
      log.info({ ms: report.ms, dir }, "dashboard bundle was missing: built it");
    }
    assets = await loadAssets(dir);
  } catch (err) {
    log.warn(
      { err: errorMessage(err) },
      "dashboard unavailable: its bundle could not be built (npm run build:web)",
    );
  }
  for (const path of Object.keys(DASHBOARD_FILES)) {
    app.get(path, { schema: { hide: true } }, async (req, reply) => {
      securityHeaders(reply).header("cache-control", "no-cache");
      const asset = assets?.get(path);
      if (!asset)
        return reply
          .code(503)
          .type("text/plain; charset=utf-8")
          .send("The dashboard is not built. Run `npm run build:web` and restart the gateway.\n");
      if (req.headers["if-none-match"] === asset.etag) return reply.code(304).send();
      return reply.header("etag", asset.etag).type(asset.type).send(asset.body);
    });
  }
};
