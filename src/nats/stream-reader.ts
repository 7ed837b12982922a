// Read events back: the last one on a subject (a task's current state) or a subject's history.
import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { type AgentEvent, AgentEvent as AgentEventSchema } from "../core/events/catalogue/index.ts";
import { decodeWith } from "../core/events/codec.ts";
import { STREAM_EVENTS } from "../core/events/subjects.ts";

export type StoredEvent = { seq: number; subject: string; event: AgentEvent };

/**
 * The last valid event stored on a subject, or null when it holds none. `seq` is always the
 * subject's last sequence (what the next append must expect), even when garbage was published
 * after the last valid event: one bad publish must not wedge a task.
 */
export async function lastEvent(jsm: JetStreamManager, subject: string): Promise<StoredEvent | null> {
  const m = await jsm.streams.getMessage(STREAM_EVENTS, { last_by_subj: subject });
  if (!m) return null;
  const parsed = decodeWith(AgentEventSchema, m.data);
  if (parsed.ok) return { seq: m.seq, subject: m.subject, event: parsed.value };
  let found: StoredEvent | null = null;
  for await (const e of readEvents(jsm.jetstream(), jsm, subject, { toSeq: m.seq })) found = e;
  return found ? { ...found, seq: m.seq } : null;
}

export type ReadOptions = {
  /** First stream sequence to read (default 1). */
  fromSeq?: number;
  /** Stop after this stream sequence (default: the subject's last sequence when reading starts). */
  toSeq?: number;
  /** Skip messages that are not valid events instead of throwing. Default true. */
  skipInvalid?: boolean;
};

/** Read a subject's (or wildcard's) events in stream order, up to its end when the read began. */
export async function* readEvents(
  js: JetStreamClient,
  jsm: JetStreamManager,
  filter: string,
  o: ReadOptions = {},
): AsyncGenerator<StoredEvent> {
  const last = o.toSeq ?? (await lastSequence(jsm, filter));
  const from = o.fromSeq ?? 1;
  if (last < from) return;
  const consumer = await js.consumers.get(STREAM_EVENTS, {
    filter_subjects: filter,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: from,
  });
  const messages = await consumer.consume({ max_messages: 512 });
  // `pending` is not trusted to end the read: nats-server 2.9 can report 0 a few messages early.
  // The read ends at the last matching sequence, or when nothing arrives for a while (purged data).
  let idle: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(idle);
    idle = setTimeout(() => void messages.close(), READ_IDLE_MS);
  };
  arm();
  try {
    for await (const m of messages) {
      arm();
      const parsed = decodeWith(AgentEventSchema, m.data);
      if (parsed.ok) yield { seq: m.seq, subject: m.subject, event: parsed.value };
      else if (o.skipInvalid === false) throw new Error(`${m.subject}@${m.seq} holds an invalid event`);
      if (m.seq >= last) break;
    }
  } finally {
    clearTimeout(idle);
    await messages.close();
  }
}

/** How long a read waits for the next message before it gives up (ms). */
const READ_IDLE_MS = 5000;

/** The stream sequence of the last message matching a filter, wildcards included (0 when none). */
export async function lastSequence(jsm: JetStreamManager, filter: string): Promise<number> {
  const m = await jsm.streams.getMessage(STREAM_EVENTS, { last_by_subj: filter });
  return m?.seq ?? 0;
}
