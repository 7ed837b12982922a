// The write side's port: the AGENTS stream as an event store. Adapters: JetStream (src/nats) and
// in memory (./memory-event-store.ts); one contract suite (test/core/ports) holds both to it.
import type { AgentEvent } from "../events/catalogue/index.ts";

/** An event as stored: its stream sequence and subject. */
export type StoredEvent = { seq: number; subject: string; event: AgentEvent };

export type AppendOptions = {
  /**
   * Fail with ConcurrencyError unless the subject's last stream sequence is this (0: the subject is
   * empty). This is what makes two writers unable to both start or complete one task.
   */
  expectedSeq?: number | undefined;
  /** Extra headers (e.g. Agents-Source on a submission). */
  headers?: Record<string, string>;
};

/** Where an append landed; `duplicate` when the same id was stored before (and nothing was added). */
export type Appended = { seq: number; duplicate: boolean };

export type ReadRange = {
  /** First stream sequence to read (default 1). */
  fromSeq?: number;
  /** Last stream sequence to read (default: the filter's last sequence when the read began). */
  toSeq?: number;
};

export interface EventStore {
  /** Append an event; its id is the dedup key, so appending it again stores it once. */
  append(subject: string, event: AgentEvent, o?: AppendOptions): Promise<Appended>;
  /** Append a plain-JSON command (a submission, a control command) with a dedup id. */
  appendJson(subject: string, payload: unknown, id: string, o?: AppendOptions): Promise<Appended>;
  /**
   * The last valid event on a subject, or null when it holds none. `seq` is the subject's last
   * sequence (what the next append must expect), even when something invalid was stored after it.
   */
  lastEvent(subject: string): Promise<StoredEvent | null>;
  /** The stream sequence of the last message matching a filter, wildcards included (0 when none). */
  lastSequence(filter: string): Promise<number>;
  /** The event stored at a sequence, or null (no message there, or not an event). */
  eventAt(seq: number): Promise<StoredEvent | null>;
  /** A filter's valid events in stream order, within a range that ends when the read began. */
  read(filter: string, range?: ReadRange): AsyncIterable<StoredEvent>;
  /** A filter's valid events from `fromSeq` on, then each new one as it is stored, until `signal` aborts. */
  follow(filter: string, fromSeq: number, signal: AbortSignal): AsyncIterable<StoredEvent>;
}

/** A stored message before decoding: an event, a command, or something invalid. */
export type StoredMessage = {
  seq: number;
  subject: string;
  data: Uint8Array;
  /** A header's value, or undefined when the message has none by that name. */
  header(name: string): string | undefined;
};
