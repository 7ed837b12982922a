// Public API of the event backbone.
export * from "./catalogue/index.ts";
export * from "./codec.ts";
export * from "./connection.ts";
export * from "./consumer.ts";
export * from "./lease.ts";
export * from "./new-event.ts";
export * from "./publisher.ts";
export * from "./reader.ts";
export * from "./subjects.ts";
export * from "./topology.ts";
