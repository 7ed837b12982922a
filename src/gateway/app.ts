// buildApp(deps): the gateway as a fastify instance, not listening (src/gateway/server.ts listens;
// tests call app.inject()). Route groups are plugins sharing one context.
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { JetStreamEventStore } from "../nats/event-store.ts";
import { registerJetStreamMetrics } from "../nats/metrics.ts";
import { createRegistry } from "../observability/registry.ts";
import { installAuth } from "./auth.ts";
import type { GatewayContext, GatewayDeps } from "./context.ts";
import { installErrorHandling } from "./errors.ts";
import { healthRoutes } from "./health.ts";
import { createMetrics, instrumentHttp } from "./metrics.ts";
import { artifactRoutes } from "./routes/artifacts.ts";
import { controlRoutes } from "./routes/control.ts";
import { eventRoutes } from "./routes/events.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { limitsRoutes } from "./routes/limits.ts";
import { resultRoutes } from "./routes/result.ts";
import { retryRoutes } from "./routes/retry.ts";
import { seriesRoutes } from "./routes/series.ts";
import { statusRoutes } from "./routes/status.ts";
import { submitRoutes } from "./routes/submit.ts";
import { systemRoutes } from "./routes/system.ts";
import { taskStoryRoutes } from "./routes/task-story.ts";
import { SseClients } from "./sse.ts";
import { dashboardRoutes } from "./web/dashboard.ts";
import { installGuard } from "./web/guard.ts";
import { cookies, hasSession, installSession } from "./web/session.ts";
import { workersReader } from "./workers.ts";

export type { GatewayDeps } from "./context.ts";

/** Build the gateway from its dependencies; throws ConfigError when it may not run as configured. */
export async function buildApp(deps: GatewayDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // Requests are counted in /metrics; refusals and failures are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.AGENTS_MAX_PAYLOAD_BYTES,
    requestIdHeader: "x-request-id",
    // Fastify sets no request timeout, so a client trickling (or stalling) a body held its socket and
    // handler forever. The whole request must now arrive in time (then 408), and a connection silent
    // both ways is closed. Neither cuts an SSE stream: the request timeout ends once the request has
    // arrived, and heartbeats keep the stream from being idle (the config requires idle ≥ 2 heartbeats).
    ...timeouts(config.AGENTS_REQUEST_TIMEOUT_MS, config.AGENTS_IDLE_TIMEOUT_MS),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);

  const sse = new SseClients();
  const registry = deps.registry ?? createRegistry();
  const workers = workersReader(deps.nc);
  const metrics = createMetrics(
    {
      queries: deps.queries,
      lag: () => deps.projections.lag(),
      sseClients: () => sse.size,
      workers: async () => (await workers()).list,
    },
    registry,
  );
  registerJetStreamMetrics(registry, deps.nc, deps.log);
  const ctx: GatewayContext = {
    deps,
    events: new JetStreamEventStore(deps.nc),
    metrics,
    sse,
    workers,
  };
  instrumentHttp(app, metrics.registry);
  // Cookies are parsed before the key check, which accepts a dashboard session instead of a bearer.
  await app.register(cookies);
  const auth = await installAuth(
    app,
    {
      host: config.AGENTS_HOST,
      localMode: config.AGENTS_LOCAL_MODE,
      apiKey: config.AGENTS_API_KEY,
      ratePerMinute: config.AGENTS_RATE_LIMIT_PER_MINUTE,
      failuresPerMinute: config.AGENTS_AUTH_FAILURES_PER_MINUTE,
    },
    (req, mode) => hasSession(req, mode.apiKey),
  );
  installGuard(app, auth.local);

  await app.register(swagger, {
    openapi: {
      info: {
        title: "infinite-agents gateway",
        description:
          "Submit agent jobs, follow them over SSE, read results, queues and quality; stop and resume.",
        version: "1.0.0",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  for (const routes of [
    healthRoutes,
    submitRoutes,
    statusRoutes,
    resultRoutes,
    artifactRoutes,
    controlRoutes,
    retryRoutes,
    eventRoutes,
  ])
    await app.register(routes, { ctx });
  // What the dashboard reads and does beside the routes above, its sign-in and the page itself.
  for (const routes of [jobRoutes, taskStoryRoutes, systemRoutes, seriesRoutes, limitsRoutes])
    await app.register(routes, { ctx });
  await installSession(app, auth);
  await app.register(dashboardRoutes, { ctx });

  // SSE responses are hijacked and never end on their own; end them so close() can finish.
  app.addHook("preClose", async () => sse.closeAll());
  return app;
}

/** Fastify's request and idle timeouts, with node's own settings that make them precise. */
function timeouts(requestMs: number, idleMs: number) {
  return {
    requestTimeout: requestMs,
    connectionTimeout: idleMs,
    http: {
      requestTimeout: requestMs,
      // Headers are part of the request, so one limit covers both (node requires headers ≤ request).
      headersTimeout: requestMs,
      // Node checks request timeouts on this interval (30 s by default), so a short timeout would
      // otherwise fire up to 30 s late.
      connectionsCheckingInterval: Math.min(5_000, requestMs),
    },
  };
}
