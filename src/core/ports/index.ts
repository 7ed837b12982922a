// Ports: what the core needs from the outside world, as types (and the in-memory event store).
export * from "./artifact-store.ts";
export * from "./critic.ts";
export * from "./delivery.ts";
export * from "./event-store.ts";
export * from "./executor.ts";
export * from "./limits-store.ts";
export * from "./logger.ts";
export * from "./memory-event-store.ts";
