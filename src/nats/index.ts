// Public API of the one JetStream adapter: connection, topology, the event store, the stream
// reader, the consumer loop, deliveries, the lane poller, the lease, the artifact store and the
// JetStream gauges.
export * from "./ack-floor.ts";
export * from "./artifacts.ts";
export * from "./connection.ts";
export * from "./consumer.ts";
export * from "./delivery.ts";
export * from "./event-store.ts";
export * from "./lane-poller.ts";
export * from "./lease.ts";
export * from "./limits-store.ts";
export * from "./metrics.ts";
export * from "./requests.ts";
export * from "./stream-reader.ts";
export * from "./system-record.ts";
export * from "./topology.ts";
