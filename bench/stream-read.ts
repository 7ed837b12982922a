// Read a range of a stream with each message's stored timestamp (what the events' readers leave out).
import { DeliverPolicy, type JetStreamClient } from "@nats-io/jetstream";

export type StreamEntry = {
  seq: number;
  subject: string;
  bytes: number;
  /** When the server stored it (ms since epoch, sub-ms precision). */
  storedAt: number;
  type?: string;
  task_id?: string;
  job_id?: string;
  /** The parsed JSON body, when it is a JSON object. */
  body?: Record<string, unknown>;
};

const decoder = new TextDecoder();

/** Messages `from`..`to` (inclusive) of a stream, in order, with the event's type and ids when JSON. */
export async function* readStream(
  js: JetStreamClient,
  stream: string,
  from: number,
  to: number,
): AsyncGenerator<StreamEntry> {
  if (to < from) return;
  const consumer = await js.consumers.get(stream, {
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: from,
  });
  const messages = await consumer.consume({ max_messages: 1000 });
  // nats-server 2.9.10 may say `pending: 0` a few messages early: read to `to`, or until 2 s of quiet.
  let idle = setTimeout(() => void messages.close(), 2000);
  try {
    for await (const m of messages) {
      clearTimeout(idle);
      idle = setTimeout(() => void messages.close(), 2000);
      if (m.seq > to) break;
      const entry: StreamEntry = {
        seq: m.seq,
        subject: m.subject,
        bytes: m.data.byteLength,
        storedAt: Number(m.info.timestampNanos) / 1e6,
      };
      try {
        const e = JSON.parse(decoder.decode(m.data)) as Record<string, unknown>;
        if (typeof e.type === "string") entry.type = e.type;
        if (typeof e.task_id === "string") entry.task_id = e.task_id;
        if (typeof e.job_id === "string") entry.job_id = e.job_id;
        if (e !== null && typeof e === "object" && !Array.isArray(e)) entry.body = e;
      } catch {}
      yield entry;
      if (m.seq >= to) break;
    }
  } finally {
    clearTimeout(idle);
    await messages.close();
  }
}
