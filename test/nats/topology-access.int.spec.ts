// Provisioning for identities that do not own the topology: on an open server anyone creates it; on
// a server with users a worker waits for the orchestrator and sends nothing the server refuses.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { STREAM_EVENTS } from "../../src/core/events/index.ts";
import { provisionTopology } from "../../src/nats/index.ts";
import { missingStreams, provisionOrAwait } from "../../src/nats/topology-access.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { retryUntil, startNatsServer } from "../support/index.ts";
import { startSecuredNats } from "../support/secured-nats.ts";

/** A logger whose lines the test can read. */
function memoryLog() {
  const lines: string[] = [];
  return { lines, log: createLogger("test", "info", { write: (l: string) => void lines.push(l) }) };
}

describe("provisioning by identities that do not own the topology", () => {
  it("given an open server without the streams, when a worker starts, then it creates them", async () => {
    const nats = await startNatsServer();
    const nc = await connect({ servers: nats.url });
    try {
      await provisionOrAwait(nc, { log: memoryLog().log });
      assert.deepEqual(await missingStreams(nc), []);
    } finally {
      await nc.close();
      await nats.stop();
    }
  });

  it("given a server with users, when a worker starts first, then it waits for the orchestrator and the server refuses it nothing", async () => {
    const s = await startSecuredNats();
    const worker = await s.connectAs("worker");
    const orchestrator = await s.connectAs("orchestrator");
    const { lines, log } = memoryLog();
    try {
      let done = false;
      const waiting = provisionOrAwait(worker, { log, pollMs: 100 }).then(() => {
        done = true;
      });
      await retryUntil(async () => assert.ok(lines.some((l) => l.includes("waiting for the orchestrator"))), {
        timeoutMs: 20_000,
      });
      assert.equal(done, false, "still waiting: it may not create the streams");
      await provisionTopology(orchestrator);
      await waiting;
      assert.ok(await (await jetstreamManager(worker)).streams.info(STREAM_EVENTS));
      assert.deepEqual(s.violations(), [], "it only looked");
    } finally {
      await worker.close();
      await orchestrator.close();
      await s.stop();
    }
  });
});
