// The harness finds nats-server the same way `agents up` does.
export { findNatsServer } from "../../src/stack/nats-binary.ts";
