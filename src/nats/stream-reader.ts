// The one reader of the AGENTS stream: ordered consumers from a sequence, for a bounded range (a
// fold, a replay, a task's history) or to follow it (projections, SSE). Every other module reads
// the stream through this one.
//
// nats-server 2.9.10, twice worked around here and nowhere else:
// - a consumer's `pending` count is not trusted to say "the end": it can report 0 a few messages
//   early. A bounded read ends at its last sequence, or after a while without a message (when that
//   sequence no longer exists: purged data). A follower uses `pending` only as a hint to flush.
// - an ordered consumer lives on the server until its inactive threshold (5 minutes, fixed by the
//   client library) unless deleted, so every read deletes its consumer when it ends (after it stops
//   consuming: the library would otherwise see "consumer deleted" and make a new one).
import {
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
} from "@nats-io/jetstream";
import { AgentEvent, decodeWith, MSG_ID_HEADER, STREAM_EVENTS, Subjects } from "../core/events/index.ts";
import type { StoredEvent, StoredMessage } from "../core/ports/event-store.ts";
import type { Connection } from "./connection.ts";
import { apiReply, type InboxReplies, repliesOf } from "./inbox-replies.ts";

/** The stream's message get (answered by its leader), and how long nats.js waits for an API reply (ms). */
const MSG_GET_EVENTS = `$JS.API.STREAM.MSG.GET.${STREAM_EVENTS}`;
const API_TIMEOUT_MS = 5000;
const encoder = new TextEncoder();

/** A stored message and how many more the server says match after it (a hint, see above). */
export type StreamMessage = StoredMessage & { pending: number };

/** Messages a bounded read asks the server for at a time (a larger window keeps the pipe full). */
export const READ_WINDOW = 4096;

export type RangeOptions = {
  /** Subject filter (default every subject of the stream). */
  filter?: string;
  fromSeq: number;
  toSeq: number;
  /** Messages asked for at a time. Default READ_WINDOW. */
  window?: number;
  /** Give up after this long without a message (ms). Default 2000. */
  idleMs?: number;
};

export type FollowOptions = {
  filter?: string;
  fromSeq: number;
  /** Messages asked for at a time. Default 256. */
  window?: number;
  /** Ends the follow. */
  signal: AbortSignal;
};

export type BatchOptions = {
  fromSeq: number;
  batchSize: number;
  /** Flush a partial batch after this long without a new message (ms). */
  idleFlushMs: number;
  signal: AbortSignal;
  /** Apply one batch; batches are handed over one at a time, in order. */
  apply: (batch: StreamMessage[]) => Promise<void>;
};

export type StreamBounds = { first_seq: number; last_seq: number; messages: number };

export class StreamReader {
  readonly js: JetStreamClient;
  private jsm: Promise<JetStreamManager> | undefined;
  /** Replies on the connection's own inbox: the per-task get (eventAt) without a nats.js request. */
  private readonly replies: InboxReplies;

  constructor(nc: Connection) {
    this.js = jetstream(nc);
    this.replies = repliesOf(nc);
  }

  /** Messages from `fromSeq` through `toSeq` (or until idle), in stream order. */
  async *readRange(o: RangeOptions): AsyncGenerator<StreamMessage> {
    if (o.toSeq < o.fromSeq) return;
    const read = await this.open(o.filter ?? Subjects.all, o.fromSeq, o.window ?? READ_WINDOW);
    const idle = setTimeout(() => read.stop(), o.idleMs ?? 2000);
    try {
      for await (const m of read.messages) {
        idle.refresh();
        yield stored(m);
        if (m.seq >= o.toSeq) break;
      }
    } finally {
      clearTimeout(idle);
      read.end();
    }
  }

  /** Messages from `fromSeq` on, and each new one as it is stored, until the signal aborts. */
  async *follow(o: FollowOptions): AsyncGenerator<StreamMessage> {
    if (o.signal.aborted) return;
    const read = await this.open(o.filter ?? Subjects.all, o.fromSeq, o.window ?? 256);
    const onAbort = () => read.stop();
    o.signal.addEventListener("abort", onAbort, { once: true });
    // Aborted while the consumer was being made (an SSE client that hung up at once): an abort
    // listener added now would never fire, so stop here, and the finally deletes the consumer.
    if (o.signal.aborted) read.stop();
    try {
      for await (const m of read.messages) {
        if (o.signal.aborted) break;
        yield stored(m);
      }
    } finally {
      o.signal.removeEventListener("abort", onAbort);
      read.end();
    }
  }

  /**
   * Follow every subject from `fromSeq` until the signal aborts, in batches: flushed when full, when
   * the server reports nothing pending, or when no message came for `idleFlushMs`. A failed apply
   * ends the follow with its error.
   */
  async followBatches(o: BatchOptions): Promise<void> {
    const read = await this.open(Subjects.all, o.fromSeq, o.batchSize * 2);
    let buf: StreamMessage[] = [];
    let failure: { err: unknown } | null = null;
    let tail: Promise<void> = Promise.resolve();
    const flush = () => {
      const batch = buf;
      buf = [];
      tail = tail.then(() => (failure || batch.length === 0 ? undefined : o.apply(batch)));
      tail = tail.catch((err: unknown) => {
        failure ??= { err };
        read.stop();
      });
      return tail;
    };
    const idle = setTimeout(() => void flush(), o.idleFlushMs);
    const onAbort = () => read.stop();
    o.signal.addEventListener("abort", onAbort, { once: true });
    if (o.signal.aborted) read.stop();
    try {
      for await (const m of read.messages) {
        const s = stored(m);
        buf.push(s);
        if (buf.length >= o.batchSize || s.pending === 0) await flush();
        else idle.refresh();
        if (failure || o.signal.aborted) break;
      }
      await tail;
    } finally {
      clearTimeout(idle);
      o.signal.removeEventListener("abort", onAbort);
      read.end();
    }
    if (failure) throw (failure as { err: unknown }).err;
  }

  /** A filter's valid events in stream order, up to its last sequence when the read began. */
  async *readEvents(
    filter: string,
    o: { fromSeq?: number; toSeq?: number } = {},
  ): AsyncGenerator<StoredEvent> {
    const toSeq = o.toSeq ?? (await this.lastSequence(filter));
    for await (const m of this.readRange({
      filter,
      fromSeq: o.fromSeq ?? 1,
      toSeq,
      window: 512,
      idleMs: 5000,
    })) {
      const e = eventOf(m);
      if (e) yield e;
    }
  }

  /** The last valid event on a subject, with the subject's last sequence (see EventStore.lastEvent). */
  async lastEvent(subject: string): Promise<StoredEvent | null> {
    const m = await (await this.manager()).streams.getMessage(STREAM_EVENTS, { last_by_subj: subject });
    if (!m) return null;
    const parsed = decodeWith(AgentEvent, m.data);
    if (parsed.ok) return { seq: m.seq, subject: m.subject, event: parsed.value };
    // One bad publish must not wedge a task: the last valid event before it, at the subject's sequence.
    let found: StoredEvent | null = null;
    for await (const e of this.readEvents(subject, { toSeq: m.seq })) found = e;
    return found ? { ...found, seq: m.seq } : null;
  }

  /** The stream sequence of the last message matching a filter, wildcards included (0 when none). */
  async lastSequence(filter: string): Promise<number> {
    const m = await (await this.manager()).streams.getMessage(STREAM_EVENTS, { last_by_subj: filter });
    return m?.seq ?? 0;
  }

  /** The sequence of the first message on `subject` at or after `fromSeq`, or undefined. */
  async firstSequence(subject: string, fromSeq = 1): Promise<number | undefined> {
    const m = await (await this.manager()).direct
      .getMessage(STREAM_EVENTS, { next_by_subj: subject, seq: fromSeq })
      .catch(() => null);
    return m?.seq;
  }

  /**
   * The valid event at a stream sequence, or null. A worker reads each task it claims this way, so
   * the get is sent as the stream's leader answers it (the same API call as jsm.streams.getMessage,
   * not a direct get a lagging replica may answer) with its reply on our own inbox (see inbox-replies.ts).
   */
  async eventAt(seq: number): Promise<StoredEvent | null> {
    const reply = await this.replies
      .request(MSG_GET_EVENTS, encoder.encode(JSON.stringify({ seq })), { timeoutMs: API_TIMEOUT_MS })
      .then((m) => apiReply<{ message?: { subject?: string; seq?: number; data?: string } }>(m).message)
      .catch(() => undefined);
    if (!reply?.subject || reply.seq !== seq) return null;
    const parsed = decodeWith(AgentEvent, Buffer.from(reply.data ?? "", "base64"));
    return parsed.ok ? { seq, subject: reply.subject, event: parsed.value } : null;
  }

  /** The subject and message id of the message at a stream sequence, or null when there is none. */
  async messageAt(seq: number): Promise<{ subject: string; msg_id: string | null } | null> {
    const m = await (await this.manager()).streams.getMessage(STREAM_EVENTS, { seq }).catch(() => null);
    if (!m || m.seq !== seq) return null;
    return { subject: m.subject, msg_id: m.header.get(MSG_ID_HEADER) || null };
  }

  /** First and last sequence and message count of the AGENTS stream. */
  async bounds(): Promise<StreamBounds> {
    const { state } = await (await this.manager()).streams.info(STREAM_EVENTS);
    return { first_seq: state.first_seq, last_seq: state.last_seq, messages: state.messages };
  }

  private manager(): Promise<JetStreamManager> {
    this.jsm ??= this.js.jetstreamManager(false).catch((err: unknown) => {
      this.jsm = undefined;
      throw err;
    });
    return this.jsm;
  }

  // An ordered consumer from `fromSeq`; `stop` ends its iteration, `end` also deletes it (once).
  private async open(filter: string, fromSeq: number, window: number) {
    const consumer = await this.js.consumers.get(STREAM_EVENTS, {
      filter_subjects: filter,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: Math.max(fromSeq, 1),
    });
    const messages: ConsumerMessages = await consumer.consume({ max_messages: window });
    let ended = false;
    // Not awaited: close() settles only when the iterator is read again, which may never happen.
    const stop = () => void messages.close().catch(() => undefined);
    return {
      messages,
      stop,
      end: () => {
        if (ended) return;
        ended = true;
        stop();
        // Nothing lost if this fails: the server removes it after the inactive threshold.
        consumer.delete().catch(() => undefined);
      },
    };
  }
}

/** A client message as a stored message. */
export function stored(m: JsMsg): StreamMessage {
  return {
    seq: m.seq,
    subject: m.subject,
    data: m.data,
    pending: m.info.pending,
    header: (name) => m.headers?.get(name) || undefined,
  };
}

/** The message as a valid event, or null (a command, or not an event). */
export function eventOf(m: StoredMessage): StoredEvent | null {
  const parsed = decodeWith(AgentEvent, m.data);
  return parsed.ok ? { seq: m.seq, subject: m.subject, event: parsed.value } : null;
}
