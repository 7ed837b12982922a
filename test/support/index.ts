// Test harness: real nats-server processes (single or clustered) on free loopback ports.

export { type ActorProcess, spawnActor } from "./actor-process.ts";
export { freePort } from "./free-port.ts";
export { findNatsServer } from "./nats-binary.ts";
export { FAILOVER, type NatsClusterHandle, startNatsCluster } from "./nats-cluster.ts";
export {
  type NatsServerHandle,
  retryUntil,
  type StartNatsServerOptions,
  startNatsServer,
} from "./nats-server.ts";
export { alive, eventually, groupMembers, groupOf } from "./processes.ts";
export { nextTaskEvent } from "./published.ts";
export { FAKE_CLAUDE, ofType, startStack, type TestStack, useStack } from "./stack.ts";
