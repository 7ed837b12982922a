// A /metrics-only HTTP listener for processes without the gateway (`agents orchestrator`,
// `agents worker`), so Prometheus can scrape every process: AGENTS_METRICS_PORT enables it.
import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";

export type MetricsServer = { port: number; stop(): Promise<void> };

/** Serve `registry` on 0.0.0.0:port/metrics (port 0: any free port). */
export async function startMetricsServer(port: number, registry: Registry): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.url !== "/metrics") {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "NOT_FOUND", message: "only /metrics is served here" } }));
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { "content-type": registry.contentType });
        res.end(text);
      },
      (err: unknown) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "INTERNAL", message: String(err) } }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "0.0.0.0", resolve);
  });
  const addr = server.address();
  return {
    port: typeof addr === "object" && addr ? addr.port : port,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
