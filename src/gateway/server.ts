// Start the gateway: build it, listen, and say where. Stopping closes SSE streams first.
import type { FastifyInstance } from "fastify";
import { buildApp, type GatewayDeps } from "./app.ts";

export type RunningGateway = { app: FastifyInstance; url: string; stop(): Promise<void> };

/** Build and listen on AGENTS_HOST:AGENTS_PORT (port 0: any free port). */
export async function startGateway(deps: GatewayDeps): Promise<RunningGateway> {
  const app = await buildApp(deps);
  await app.listen({ host: deps.config.AGENTS_HOST, port: deps.config.AGENTS_PORT });
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : deps.config.AGENTS_PORT;
  const host = deps.config.AGENTS_HOST.includes(":")
    ? `[${deps.config.AGENTS_HOST}]`
    : deps.config.AGENTS_HOST;
  const url = `http://${host}:${port}`;
  deps.log.info({ url }, "gateway listening");
  return { app, url, stop: () => app.close() };
}
