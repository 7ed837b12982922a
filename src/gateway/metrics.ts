// Prometheus metrics of the gateway: HTTP requests, projection lag, queue counts, the recorded
// system state and SSE clients, on the process's registry (one per app unless the composition root
// hands one in, so tests can build many apps in one process).
import type { FastifyInstance } from "fastify";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { QueueName } from "../core/events/index.ts";
import type { WorkerStatus } from "../core/worker/status.ts";
import type { ProjectionQueries } from "../projections/store.ts";

export type MetricsSources = {
  queries: ProjectionQueries;
  /** Stream messages the projections have not applied yet. */
  lag(): Promise<number>;
  /** SSE clients connected now. */
  sseClients(): number;
  /** What the live workers report. */
  workers(): Promise<WorkerStatus[]>;
};

export type GatewayMetrics = {
  registry: Registry;
  submissions: Counter<"outcome">;
  sseDropped: Counter<"reason">;
};

/** Register every metric on `registry`; collectors read their sources at scrape time. */
export function createMetrics(src: MetricsSources, registry: Registry): GatewayMetrics {
  new Gauge({
    name: "agents_projection_lag_events",
    help: "AGENTS stream messages not yet applied to the projections",
    registers: [registry],
    async collect() {
      this.set(await src.lag().catch(() => -1));
    },
  });
  new Gauge({
    name: "agents_projection_checkpoint",
    help: "Last AGENTS stream sequence applied to the projections",
    registers: [registry],
    async collect() {
      this.set(await src.queries.checkpoint().catch(() => -1));
    },
  });
  new Gauge({
    name: "agents_queue_tasks",
    help: "Tasks per queue and status (from the projections)",
    labelNames: ["queue", "status"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await src.queries.queueSummary().catch(() => []);
      for (const r of rows) this.set({ queue: r.queue, status: r.status }, r.count);
    },
  });
  new Gauge({
    name: "agents_system_stopped",
    help: "1 while an emergency stop is in force (as recorded in the stream), else 0",
    registers: [registry],
    async collect() {
      this.reset();
      const s = await src.queries.systemState().catch(() => undefined);
      if (s) this.set(s.stopped ? 1 : 0);
    },
  });
  new Gauge({
    name: "agents_queue_paused",
    help: "1 for a queue paused by an operator (as recorded in the stream), else 0",
    labelNames: ["queue"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const s = await src.queries.systemState().catch(() => undefined);
      if (s) for (const queue of QueueName.options) this.set({ queue }, s.paused[queue] ? 1 : 0);
    },
  });
  new Gauge({
    name: "agents_workers_live",
    help: "Workers whose status is fresh in the agents-workers bucket",
    registers: [registry],
    async collect() {
      this.set((await src.workers().catch(() => [])).length);
    },
  });
  new Gauge({
    name: "agents_executor_auth_state",
    help: "Each live worker's executor credentials: 1 ok, 0 not ok; state says which (ok, failed, unknown); a failed one takes no work",
    labelNames: ["worker", "route", "executor", "state"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const w of await src.workers().catch(() => []))
        for (const e of w.executors)
          this.set(
            { worker: w.worker_id, route: e.route, executor: e.executor, state: e.auth.state },
            e.auth.state === "ok" ? 1 : 0,
          );
    },
  });
  new Gauge({
    name: "agents_executor_auth_expiry_timestamp_seconds",
    help: "When a live worker's executor credentials expire (Unix seconds), when known; method says how it authenticates",
    labelNames: ["worker", "route", "executor", "method"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const w of await src.workers().catch(() => []))
        for (const e of w.executors) {
          const at = e.auth.expires_at ? Date.parse(e.auth.expires_at) : Number.NaN;
          if (!Number.isFinite(at)) continue;
          this.set(
            { worker: w.worker_id, route: e.route, executor: e.executor, method: e.auth.method ?? "unknown" },
            at / 1000,
          );
        }
    },
  });
  new Gauge({
    name: "agents_executor_available",
    help: "1 while a live worker takes the route's work (credentials not failed, no usage-limit hold), else 0",
    labelNames: ["worker", "route"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const w of await src.workers().catch(() => []))
        for (const e of w.executors) this.set({ worker: w.worker_id, route: e.route }, e.available ? 1 : 0);
    },
  });
  new Gauge({
    name: "agents_sse_clients",
    help: "Server-Sent Events clients connected",
    registers: [registry],
    collect() {
      this.set(src.sseClients());
    },
  });
  return {
    registry,
    submissions: new Counter({
      name: "agents_submissions_total",
      help: "Submissions published by the gateway (outcome: new or duplicate)",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    sseDropped: new Counter({
      name: "agents_sse_dropped_total",
      help: "SSE clients closed by the gateway (reason: slow or error)",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
  };
}

/** Count and time every request by route pattern (not raw URL, so ids do not explode the labels). */
export function instrumentHttp(app: FastifyInstance, registry: Registry): void {
  const requests = new Counter({
    name: "agents_http_requests_total",
    help: "HTTP requests by method, route and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "agents_http_request_duration_seconds",
    help: "HTTP request duration by method, route and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook("onResponse", async (req, reply) => {
    const labels = {
      method: req.method,
      route: req.routeOptions.url ?? "unmatched",
      status: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
}
