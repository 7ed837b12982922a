// The limit: how fast this machine's nats-server stores and hands out messages when nothing else
// happens. Async publishes with dedup ids (as every event of ours has) in a window of publishes in
// flight, then a durable pull consumer that consumes and acks them all.
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { nowMs } from "./stats.ts";

export type LimitOptions = {
  /** Messages per measurement. */
  messages: number;
  /** Payload size (bytes); use the average event size of a real run. */
  payloadBytes: number;
  /** Publishes in flight at once for the async measurement. */
  window: number;
};

export type LimitResult = {
  /** Async publishes acked per second with `window` in flight. */
  publishPerSec: number;
  /** Publishes per second one at a time (each awaited before the next, as our actors do). */
  publishSerialPerSec: number;
  /** Messages consumed and acked per second by one pull consumer. */
  consumeAckPerSec: number;
};

const STREAM = "BENCH_LIMIT";

/** Measure publish and consume-and-ack rates on a scratch stream, then delete it. */
export async function measureLimit(nc: NatsConnection, o: LimitOptions): Promise<LimitResult> {
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  await jsm.streams.add({
    name: STREAM,
    subjects: ["bench.limit.>"],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: 10 * 60 * 1_000_000_000,
  });
  try {
    const payload = new Uint8Array(o.payloadBytes).fill(120);
    // Many subjects, like one subject per task.
    const subject = (i: number) => `bench.limit.t${i % 1000}`;
    const serialCount = Math.max(200, Math.floor(o.messages / 10));
    let t = nowMs();
    for (let i = 0; i < serialCount; i++) await js.publish(subject(i), payload, { msgID: `s-${i}` });
    const publishSerialPerSec = serialCount / ((nowMs() - t) / 1000);

    t = nowMs();
    const inflight = new Set<Promise<unknown>>();
    for (let i = 0; i < o.messages; i++) {
      const p = js.publish(subject(i), payload, { msgID: `a-${i}` }).finally(() => inflight.delete(p));
      inflight.add(p);
      if (inflight.size >= o.window) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    const publishPerSec = o.messages / ((nowMs() - t) / 1000);

    const total = serialCount + o.messages;
    await jsm.consumers.add(STREAM, { durable_name: "limit", ack_policy: AckPolicy.Explicit });
    const consumer = await js.consumers.get(STREAM, "limit");
    t = nowMs();
    const messages = await consumer.consume({ max_messages: 1000 });
    let n = 0;
    for await (const m of messages) {
      m.ack();
      if (++n >= total) break;
    }
    await messages.close();
    await nc.flush();
    const consumeAckPerSec = n / ((nowMs() - t) / 1000);
    return { publishPerSec, publishSerialPerSec, consumeAckPerSec };
  } finally {
    await jsm.streams.delete(STREAM).catch(() => false);
  }
}

/**
 * Best possible task lifecycles per second when one lifecycle writes `messagesPerLifecycle`
 * messages and each of them must be stored once and consumed-and-acked once: the two costs add up
 * on a shared CPU, so 1 / (W / publish rate + W / consume rate).
 */
export function lifecyclesLimit(r: LimitResult, messagesPerLifecycle: number): number {
  return 1 / (messagesPerLifecycle / r.publishPerSec + messagesPerLifecycle / r.consumeAckPerSec);
}
