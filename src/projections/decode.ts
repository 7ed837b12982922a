// Stream messages as the folds see them: an event, or null for a command or anything not an event
// (which only advances the checkpoint).
import { AgentEvent, decodeWith, isCommandSubject, misplaced } from "../core/events/index.ts";
import type { Applicable } from "./fold.ts";

/** What the folds need of a stored message. */
export type RawMessage = { seq: number; subject: string; data: Uint8Array };

/** The message as an event, or with `event: null` when it is a command or not a valid event. */
export function decodeMessage(m: RawMessage): Applicable & { invalid: boolean } {
  if (isCommandSubject(m.subject)) return { seq: m.seq, event: null, invalid: false };
  const parsed = decodeWith(AgentEvent, m.data);
  // An event whose type does not belong on its subject was written by an identity that does not
  // own it (see ownership.ts): it is skipped like any invalid message.
  return parsed.ok && !misplaced(m.subject, parsed.value)
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
