// Public API of the event catalogue: the zod schemas, their codec, event construction and the
// subjects they travel on. Pure: the NATS side of events is in src/nats.
export * from "./catalogue/index.ts";
export * from "./codec.ts";
export * from "./new-event.ts";
export * from "./ownership.ts";
export * from "./subjects.ts";
