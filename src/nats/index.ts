// Public API of the one JetStream adapter: connection, topology, the event store, the stream
// reader, the consumer loop, the lease and the artifact store.
export * from "./artifacts.ts";
export * from "./connection.ts";
export * from "./consumer.ts";
export * from "./event-store.ts";
export * from "./lease.ts";
export * from "./projection-source.ts";
export * from "./stream-reader.ts";
export * from "./topology.ts";
