// /health (is each dependency reachable, can agents authenticate), /ready (NATS up and projections
// caught up) and /metrics. Secrets are never read out: only whether they exist and when they expire.
// Outside local mode /health tells a caller without the key only ok or degraded: host names, pids,
// paths and credential kinds are for operators.
import { readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import type { FastifyPluginAsync } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { ErrorCode, errorMessage } from "../core/errors.ts";
import { connectionStatus, isClosed } from "../nats/connection.ts";
import { leaseStatus, NO_HOLDER, openLeases } from "../nats/lease.ts";
import type { GatewayContext } from "./context.ts";
import { ErrorBody, HttpError } from "./errors.ts";
import { currentSystem } from "./routes/system.ts";
import { SystemView } from "./views/schemas.ts";

export const AgentAuth = z.object({
  /** What the Claude CLI would use: ANTHROPIC_API_KEY overrides the subscription token and file. */
  effective: z.enum(["anthropic_api_key", "oauth_token", "credentials_file", "none"]),
  anthropic_api_key: z.boolean(),
  oauth_token: z.boolean(),
  credentials_file: z.object({
    path: z.string(),
    exists: z.boolean(),
    expires_at: z.string().nullable(),
    expired: z.boolean().nullable(),
  }),
});
export type AgentAuth = z.infer<typeof AgentAuth>;

/** Which agent credentials are present (never their values); reads only `expiresAt` of the file. */
export async function agentAuthStatus(env: NodeJS.ProcessEnv, home = homedir()): Promise<AgentAuth> {
  const path = join(env.CLAUDE_CONFIG_DIR ?? join(home, ".claude"), ".credentials.json");
  const exists = await stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
  let expiresAt: string | null = null;
  if (exists) {
    try {
      const raw = JSON.parse(await readFile(path, "utf8")) as { claudeAiOauth?: { expiresAt?: unknown } };
      const ms = raw.claudeAiOauth?.expiresAt;
      if (typeof ms === "number" && Number.isFinite(ms)) expiresAt = new Date(ms).toISOString();
    } catch {
      expiresAt = null;
    }
  }
  const apiKey = Boolean(env.ANTHROPIC_API_KEY);
  const token = Boolean(env.CLAUDE_CODE_OAUTH_TOKEN);
  const effective = apiKey
    ? "anthropic_api_key"
    : token
      ? "oauth_token"
      : exists
        ? "credentials_file"
        : "none";
  return {
    effective,
    anthropic_api_key: apiKey,
    oauth_token: token,
    credentials_file: {
      path,
      exists,
      expires_at: expiresAt,
      expired: expiresAt === null ? null : Date.parse(expiresAt) <= Date.now(),
    },
  };
}

const Health = z.object({
  status: z.enum(["ok", "degraded"]),
  nats: z.object({ connected: z.boolean(), server: z.string().nullable() }),
  store: z.object({
    kind: z.string(),
    reachable: z.boolean(),
    checkpoint: z.number().nullable(),
    error: z.string().optional(),
  }),
  executor: z
    .string()
    .describe(
      "the executor that runs tasks: AGENTS_EXECUTOR, else claude when its CLI is on PATH, else echo (offline)",
    ),
  agent_auth: AgentAuth,
  orchestrator: z
    .object({
      holder: z.string().nullable(),
      renewed_at: z.string().nullable(),
      ttl_ms: z.number().nullable(),
      live: z.boolean(),
      error: z.string().optional(),
    })
    .describe("the orchestrator lease: who leads, and whether it renewed within its ttl"),
  system: SystemView.optional().describe(
    "the recorded system state (absent while the store is unreachable): a stop is not ill health",
  ),
});

/** What a load balancer needs, for callers without the key outside local mode. */
const HealthBrief = z.object({ status: z.enum(["ok", "degraded"]) });

const Ready = z.object({ ready: z.literal(true), projection_lag: z.number(), checkpoint: z.number() });

/** The operational endpoints. */
export const healthRoutes: FastifyPluginAsync<{ ctx: GatewayContext }> = async (app, { ctx }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { deps } = ctx;
  let leases: ReturnType<typeof openLeases> | undefined;
  r.get(
    "/health",
    {
      schema: {
        tags: ["ops"],
        summary: "Dependencies and agent credentials (only the status without the key outside local mode)",
        response: { 200: z.union([Health, HealthBrief]) },
      },
    },
    async (req) => {
      const nats = connectionStatus(deps.nc);
      const store = await deps.queries.checkpoint().then(
        (checkpoint) => ({ kind: deps.storeKind, reachable: true, checkpoint }),
        (err) => ({ kind: deps.storeKind, reachable: false, checkpoint: null, error: errorMessage(err) }),
      );
      leases ??= openLeases(deps.nc);
      const orchestrator = await leases
        .then((kv) => leaseStatus(kv, "orchestrator"))
        .catch((err: unknown) => {
          leases = undefined; // try opening the bucket again next time
          return { ...NO_HOLDER, error: errorMessage(err) };
        });
      // Without a live orchestrator nothing is decided: submissions wait and jobs stall.
      const status =
        nats.connected && store.reachable && orchestrator.live ? ("ok" as const) : ("degraded" as const);
      if (!req.agentsTrusted) return { status };
      return {
        status,
        orchestrator,
        nats,
        store,
        executor: deps.executor,
        agent_auth: await agentAuthStatus(deps.env ?? process.env),
        // A stop is not ill health: status stays ok, and this says that nothing runs until resume.
        ...(store.reachable ? { system: await currentSystem(ctx).catch(() => undefined) } : {}),
      };
    },
  );
  r.get(
    "/ready",
    {
      schema: {
        tags: ["ops"],
        summary: "NATS connected and projections caught up",
        response: { 200: Ready, 503: ErrorBody },
      },
    },
    async () => {
      if (isClosed(deps.nc)) throw new HttpError(ErrorCode.Unavailable, "not connected to NATS");
      const lag = await deps.projections.lag().catch((err: unknown) => {
        throw new HttpError(ErrorCode.Unavailable, `cannot read the stream: ${errorMessage(err)}`);
      });
      const max = deps.config.AGENTS_READY_MAX_LAG;
      if (lag > max)
        throw new HttpError(
          ErrorCode.Unavailable,
          `projections are ${lag} events behind (ready at ≤ ${max})`,
        );
      return { ready: true as const, projection_lag: lag, checkpoint: await deps.queries.checkpoint() };
    },
  );
  app.get("/metrics", { schema: { tags: ["ops"], summary: "Prometheus metrics" } }, async (_req, reply) => {
    const text = await ctx.metrics.registry.metrics();
    return reply.type(ctx.metrics.registry.contentType).send(text);
  });
};
