// Reading the AGENTS stream for projections: raw messages in order from a sequence, the stream's
// bounds, and decoding (anything on a command subject or not an event only advances the checkpoint).
import {
  type Consumer,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
} from "@nats-io/jetstream";
import { AgentEvent, decodeWith, STREAM_EVENTS, Subjects } from "../core/events/index.ts";
import type { Applicable } from "../projections/fold.ts";

/** Messages a bounded read asks the server for at a time (a larger window keeps the pipe full). */
export const READ_WINDOW = 4096;

export type RawMessage = { seq: number; subject: string; data: Uint8Array };

/** An ordered consumer over every subject of the stream, starting at `fromSeq`. */
export function orderedFrom(js: JetStreamClient, fromSeq: number): Promise<Consumer> {
  return js.consumers.get(STREAM_EVENTS, {
    filter_subjects: Subjects.all,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: Math.max(fromSeq, 1),
  });
}

/**
 * Messages from `fromSeq` through `toSeq`, in stream order. Ends at `toSeq`, or after `idleMs`
 * (default 2000) without a message when `toSeq` no longer exists. (The server's pending count is not
 * trusted to say "the end": nats-server 2.9 sometimes reports 0 pending a few messages early.)
 */
export async function* readRange(
  js: JetStreamClient,
  fromSeq: number,
  toSeq: number,
  maxMessages = READ_WINDOW,
  idleMs = 2000,
): AsyncGenerator<RawMessage> {
  if (toSeq < fromSeq) return;
  const consumer = await orderedFrom(js, fromSeq);
  const messages = await consumer.consume({ max_messages: maxMessages });
  const idle = setTimeout(() => void messages.close(), idleMs);
  try {
    for await (const m of messages) {
      idle.refresh();
      yield { seq: m.seq, subject: m.subject, data: m.data };
      if (m.seq >= toSeq) break;
    }
  } finally {
    clearTimeout(idle);
    await messages.close();
  }
}

export type FollowOptions = {
  fromSeq: number;
  batchSize: number;
  /** Flush a partial batch after this long without a new message (ms). */
  idleFlushMs: number;
  signal: AbortSignal;
  /** Apply one batch; batches are handed over one at a time, in order. */
  apply: (batch: RawMessage[]) => Promise<void>;
};

/**
 * Follow the stream from `fromSeq` until the signal aborts, in batches: flushed when full, when the
 * server reports nothing pending, or when no message came for `idleFlushMs` (the pending count can
 * be off, so it is a hint, not the rule). A failed apply ends the follow with its error.
 */
export async function followBatches(js: JetStreamClient, o: FollowOptions): Promise<void> {
  const consumer = await orderedFrom(js, o.fromSeq);
  const messages = await consumer.consume({ max_messages: o.batchSize * 2 });
  let buf: RawMessage[] = [];
  let failure: { err: unknown } | null = null;
  let tail: Promise<void> = Promise.resolve();
  const flush = () => {
    const batch = buf;
    buf = [];
    tail = tail.then(() => (failure || batch.length === 0 ? undefined : o.apply(batch)));
    tail = tail.catch((err: unknown) => {
      failure ??= { err };
      void messages.close();
    });
    return tail;
  };
  const idle = setTimeout(() => void flush(), o.idleFlushMs);
  const onAbort = () => void messages.close();
  o.signal.addEventListener("abort", onAbort, { once: true });
  try {
    for await (const m of messages) {
      buf.push({ seq: m.seq, subject: m.subject, data: m.data });
      if (buf.length >= o.batchSize || m.info.pending === 0) await flush();
      else idle.refresh();
      if (failure || o.signal.aborted) break;
    }
    await tail;
  } finally {
    clearTimeout(idle);
    o.signal.removeEventListener("abort", onAbort);
    await messages.close().catch(() => undefined);
  }
  if (failure) throw (failure as { err: unknown }).err;
}

export type StreamBounds = { first_seq: number; last_seq: number; messages: number };

/** First and last sequence and message count of the AGENTS stream. */
export async function streamBounds(jsm: JetStreamManager): Promise<StreamBounds> {
  const { state } = await jsm.streams.info(STREAM_EVENTS);
  return { first_seq: state.first_seq, last_seq: state.last_seq, messages: state.messages };
}

/** True for subjects that carry raw commands rather than events. */
export function isCommandSubject(subject: string): boolean {
  return subject === Subjects.submit || subject.startsWith("agents.control.");
}

/** The message as an event, or with `event: null` when it is a command or not a valid event. */
export function decodeMessage(m: RawMessage): Applicable & { invalid: boolean } {
  if (isCommandSubject(m.subject)) return { seq: m.seq, event: null, invalid: false };
  const parsed = decodeWith(AgentEvent, m.data);
  return parsed.ok
    ? { seq: m.seq, event: parsed.value, invalid: false }
    : { seq: m.seq, event: null, invalid: true };
}

/** Group an async sequence into arrays of at most `size` items. */
export async function* inChunks<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let chunk: T[] = [];
  for await (const item of items) {
    chunk.push(item);
    if (chunk.length < size) continue;
    yield chunk;
    chunk = [];
  }
  if (chunk.length > 0) yield chunk;
}

/** Decode the messages after sequence `after`; `onInvalid` hears of each one that is not a valid event. */
export function applicableAfter(
  raw: readonly RawMessage[],
  after: number,
  onInvalid: (m: RawMessage) => void,
): Applicable[] {
  const items: Applicable[] = [];
  for (const r of raw) {
    if (r.seq <= after) continue;
    const d = decodeMessage(r);
    if (d.invalid) onInvalid(r);
    items.push({ seq: d.seq, event: d.event });
  }
  return items;
}
