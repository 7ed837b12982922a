// Test harness: real nats-server processes (single or clustered) on free loopback ports.
export { freePort } from "./free-port.ts";
export { findNatsServer } from "./nats-binary.ts";
export { type NatsClusterHandle, startNatsCluster } from "./nats-cluster.ts";
export {
  type NatsServerHandle,
  retryUntil,
  type StartNatsServerOptions,
  startNatsServer,
} from "./nats-server.ts";
