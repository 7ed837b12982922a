// Public API of the gateway.
export { buildApp } from "./app.ts";
export type { GatewayDeps, ProjectionFeed } from "./context.ts";
export { ErrorBody, STATUS_OF } from "./errors.ts";
export { agentAuthStatus } from "./health.ts";
export { type RunningGateway, startGateway } from "./server.ts";
