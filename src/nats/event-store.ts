// The event store on JetStream: append with msgID = event id (dedup) and an optional expected last
// subject sequence (→ ConcurrencyError), and reads through the one stream reader.
import { JetStreamApiCodes, JetStreamApiError, type JetStreamClient, jetstream } from "@nats-io/jetstream";
import { headers, type MsgHdrs } from "@nats-io/transport-node";
import { ConcurrencyError } from "../core/errors.ts";
import { type AgentEvent, encodeJson } from "../core/events/index.ts";
import type {
  Appended,
  AppendOptions,
  EventStore,
  ReadRange,
  StoredEvent,
} from "../core/ports/event-store.ts";
import type { Connection } from "./connection.ts";
import { type InboxReplies, repliesOf } from "./inbox-replies.ts";
import { eventOf, StreamReader } from "./stream-reader.ts";

/** Publish ack timeout (ms), unless an append says otherwise. */
const PUBLISH_TIMEOUT_MS = 5000;

/** AppendOptions, plus how long to wait for the server's ack (ms). */
export type JetStreamAppendOptions = AppendOptions & { timeoutMs?: number };

export class JetStreamEventStore implements EventStore {
  readonly js: JetStreamClient;
  readonly reader: StreamReader;
  /** Publishes with their acks on the connection's own inbox (see inbox-replies.ts: cheaper than js.publish). */
  private readonly acks: InboxReplies;

  constructor(nc: Connection) {
    this.js = jetstream(nc);
    this.reader = new StreamReader(nc);
    this.acks = repliesOf(nc);
  }

  append(subject: string, event: AgentEvent, o: JetStreamAppendOptions = {}): Promise<Appended> {
    return this.publish(subject, encodeJson(event), event.id, o);
  }

  appendJson(
    subject: string,
    payload: unknown,
    id: string,
    o: JetStreamAppendOptions = {},
  ): Promise<Appended> {
    return this.publish(subject, encodeJson(payload), id, o);
  }

  lastEvent(subject: string): Promise<StoredEvent | null> {
    return this.reader.lastEvent(subject);
  }

  lastSequence(filter: string): Promise<number> {
    return this.reader.lastSequence(filter);
  }

  eventAt(seq: number): Promise<StoredEvent | null> {
    return this.reader.eventAt(seq);
  }

  read(filter: string, range: ReadRange = {}): AsyncIterable<StoredEvent> {
    return this.reader.readEvents(filter, range);
  }

  async *follow(filter: string, fromSeq: number, signal: AbortSignal): AsyncIterable<StoredEvent> {
    for await (const m of this.reader.follow({ filter, fromSeq, signal })) {
      const e = eventOf(m);
      if (e) yield e;
    }
  }

  /** Publish bytes to any subject of the topology (a work item goes to AGENTS_WORK this way). */
  async publish(
    subject: string,
    bytes: Uint8Array,
    msgID: string,
    o: JetStreamAppendOptions = {},
  ): Promise<Appended> {
    try {
      const ack = await this.acks.publish(subject, bytes, {
        msgID,
        timeoutMs: o.timeoutMs ?? PUBLISH_TIMEOUT_MS,
        expectedLastSubjectSequence: o.expectedSeq,
        headers: o.headers ? toHeaders(o.headers) : undefined,
      });
      return { seq: ack.seq, duplicate: ack.duplicate };
    } catch (err) {
      if (isWrongLastSequence(err)) throw new ConcurrencyError(subject, o.expectedSeq ?? -1, err);
      throw err;
    }
  }
}

function toHeaders(record: Record<string, string>): MsgHdrs {
  const h = headers();
  for (const [k, v] of Object.entries(record)) h.set(k, v);
  return h;
}

/** True when the server refused a write because the subject (or KV entry) moved past the expected sequence. */
export function isWrongLastSequence(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
      err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}
