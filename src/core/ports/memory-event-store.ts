// An event store in memory, held to the same contract as the JetStream one (test/core/ports): for
// tests of the shells and the deciders' callers without a server. Messages are stored encoded and
// decoded on read, exactly as on the wire, so it accepts and refuses what JetStream would.

import { ConcurrencyError } from "../errors.ts";
import { AgentEvent } from "../events/catalogue/index.ts";
import { decodeWith, encodeJson } from "../events/codec.ts";
import { subjectMatches } from "../events/subjects.ts";
import type { Appended, AppendOptions, EventStore, ReadRange, StoredEvent } from "./event-store.ts";

/** One stored message: what JetStream would hold. */
export type MemoryMessage = {
  seq: number;
  subject: string;
  data: Uint8Array;
  headers: Record<string, string>;
};

export class MemoryEventStore implements EventStore {
  private readonly log: MemoryMessage[] = [];
  private readonly lastBySubject = new Map<string, number>();
  private readonly ids = new Map<string, number>();
  private waiters: Array<() => void> = [];

  /** Every stored message in order (for tests). */
  messages(): readonly MemoryMessage[] {
    return this.log;
  }

  async append(subject: string, event: AgentEvent, o: AppendOptions = {}): Promise<Appended> {
    return this.store(subject, encodeJson(event), event.id, o);
  }

  async appendJson(subject: string, payload: unknown, id: string, o: AppendOptions = {}): Promise<Appended> {
    return this.store(subject, encodeJson(payload), id, o);
  }

  async lastEvent(subject: string): Promise<StoredEvent | null> {
    const last = this.lastBySubject.get(subject);
    if (last === undefined) return null;
    for (let seq = last; seq >= 1; seq--) {
      const e = this.decoded(seq);
      if (e && e.subject === subject) return { ...e, seq: last };
    }
    return null;
  }

  async lastSequence(filter: string): Promise<number> {
    for (let i = this.log.length - 1; i >= 0; i--) {
      const m = this.log[i];
      if (m && subjectMatches(filter, m.subject)) return m.seq;
    }
    return 0;
  }

  async eventAt(seq: number): Promise<StoredEvent | null> {
    return this.decoded(seq);
  }

  async *read(filter: string, range: ReadRange = {}): AsyncIterable<StoredEvent> {
    const to = range.toSeq ?? (await this.lastSequence(filter));
    for (let seq = Math.max(range.fromSeq ?? 1, 1); seq <= Math.min(to, this.log.length); seq++) {
      const e = this.decoded(seq);
      if (e && subjectMatches(filter, e.subject)) yield e;
    }
  }

  async *follow(filter: string, fromSeq: number, signal: AbortSignal): AsyncIterable<StoredEvent> {
    let seq = Math.max(fromSeq, 1);
    while (!signal.aborted) {
      for (; seq <= this.log.length && !signal.aborted; seq++) {
        const e = this.decoded(seq);
        if (e && subjectMatches(filter, e.subject)) yield e;
      }
      if (!signal.aborted) await this.nextAppend(signal);
    }
  }

  private store(subject: string, data: Uint8Array, id: string, o: AppendOptions): Appended {
    const seen = this.ids.get(id);
    if (seen !== undefined) return { seq: seen, duplicate: true };
    const last = this.lastBySubject.get(subject) ?? 0;
    if (o.expectedSeq !== undefined && o.expectedSeq !== last)
      throw new ConcurrencyError(subject, o.expectedSeq);
    const seq = this.log.length + 1;
    this.log.push({ seq, subject, data, headers: { "Nats-Msg-Id": id, ...o.headers } });
    this.lastBySubject.set(subject, seq);
    this.ids.set(id, seq);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
    return { seq, duplicate: false };
  }

  private decoded(seq: number): StoredEvent | null {
    const m = this.log[seq - 1];
    if (!m) return null;
    const parsed = decodeWith(AgentEvent, m.data);
    return parsed.ok ? { seq, subject: m.subject, event: parsed.value } : null;
  }

  private nextAppend(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.waiters.push(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }
}
