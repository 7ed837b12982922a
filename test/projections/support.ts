// Helpers of the projection tests: a nats-server with the topology, publishing a workload, a
// store that crashes on purpose, and stream messages as the runner would see them.

import assert from "node:assert/strict";
import type { NatsConnection } from "@nats-io/transport-node";
import { pino } from "pino";
import { connectNats, JetStreamEventStore, provisionTopology } from "../../src/nats/index.ts";
import { decodeMessage } from "../../src/projections/decode.ts";
import { type Applicable, type ProjectionStore, planBatch } from "../../src/projections/index.ts";
import { type NatsServerHandle, startNatsServer } from "../support/index.ts";
import type { WorkloadMessage } from "./workload-script.ts";

export const quietLog = pino({ level: process.env.LOG_LEVEL ?? "silent" });

export type Stream = { server: NatsServerHandle; nc: NatsConnection; stop(): Promise<void> };

/** A fresh nats-server with the AGENTS topology, and a connection to it. */
export async function startStream(): Promise<Stream> {
  const server = await startNatsServer();
  const nc = await connectNats(server.url, "projections-test");
  await provisionTopology(nc);
  return {
    server,
    nc,
    async stop() {
      await nc.close();
      await server.stop();
    },
  };
}

/** Publish messages in order (a window of publishes in flight); returns the last stream sequence. */
export async function publishWorkload(
  nc: NatsConnection,
  messages: Iterable<WorkloadMessage>,
  window = 256,
): Promise<number> {
  const publisher = new JetStreamEventStore(nc);
  let inflight: Array<Promise<{ seq: number }>> = [];
  let last = 0;
  const drain = async () => {
    for (const ack of await Promise.all(inflight)) last = Math.max(last, ack.seq);
    inflight = [];
  };
  for (const m of messages) {
    if (m.kind === "event") inflight.push(publisher.append(m.subject, m.event));
    else if (m.kind === "json") inflight.push(publisher.appendJson(m.subject, m.payload, m.id));
    else inflight.push(publisher.js.publish(m.subject, m.text, { msgID: m.id }));
    if (inflight.length >= window) await drain();
  }
  await drain();
  return last;
}

/** Workload messages as the runner sees them at stream sequences 1, 2, … (no server needed). */
export function asApplicable(messages: readonly WorkloadMessage[]): Applicable[] {
  const encoder = new TextEncoder();
  return messages.map((m, i) => {
    const body =
      m.kind === "event" ? JSON.stringify(m.event) : m.kind === "json" ? JSON.stringify(m.payload) : m.text;
    const d = decodeMessage({ seq: i + 1, subject: m.subject, data: encoder.encode(body) });
    return { seq: d.seq, event: d.event };
  });
}

export type Crash = { at: number; when: "before-commit" | "after-commit" };

/**
 * A store that crashes on its `at`-th batch: "before-commit" dies in the middle of applying it, so
 * nothing of that batch is stored (as an aborted transaction); "after-commit" dies once the batch is
 * stored but before the runner hears so. Every other call goes to the inner store.
 */
export function crashingStore(inner: ProjectionStore, crash: Crash): ProjectionStore & { batches: number } {
  let batches = 0;
  return new Proxy(inner as ProjectionStore & { batches: number }, {
    get(target, prop) {
      if (prop === "batches") return batches;
      if (prop === "apply") {
        return async (batch: Parameters<ProjectionStore["apply"]>[0]) => {
          batches += 1;
          if (batches !== crash.at) return target.apply(batch);
          if (crash.when === "after-commit") await target.apply(batch);
          throw new Error(`simulated crash ${crash.when} of batch ${crash.at}`);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Fold messages into a store in batches of `size`, the way the runner does. */
export async function foldInto(
  store: ProjectionStore,
  items: readonly Applicable[],
  size = 100,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) {
    const chunk = items.slice(i, i + size);
    await store.apply(await planBatch(store, chunk, chunk.at(-1)?.seq ?? 0));
  }
}

/** Equal within floating-point noise (costs are sums of floats). */
export const near = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≉ ${expected}`);
