// The system's recorded state: whether an emergency stop is in force (why, since when) and which
// queues are paused. It is a fold of the recorded system events, kept by the leading orchestrator and
// written after each change to the agents-system KV bucket, where every process reads it at start and
// watches it (the record's schema is the one below, validated on every read: the bucket is plain KV).
import { z } from "zod";
import { type AgentEvent, QueueName } from "../events/catalogue/index.ts";

const Since = z.object({ reason: z.string().max(2000), since: z.iso.datetime() });
export type Since = z.infer<typeof Since>;

export const SystemRecord = z.object({
  /** The emergency stop in force, or null while running. */
  stopped: Since.nullable(),
  /** The latest resume (why, when), or null when never resumed. */
  resumed: Since.nullable(),
  /** Paused queues with their reason and since when. */
  paused: z.partialRecord(QueueName, Since),
  /** Stream sequence of the last system event folded in (0: none yet). */
  seq: z.number().int().nonnegative(),
  /**
   * Every control command stored up to this stream sequence has been decided by the orchestrator. A
   * worker honours a valid stop or pause it saw after this sequence at once, before it is recorded.
   */
  control_seq: z.number().int().nonnegative(),
  updated_at: z.iso.datetime().nullable(),
});
export type SystemRecord = z.infer<typeof SystemRecord>;

/** Running, nothing paused, nothing decided yet. */
export function initialSystem(): SystemRecord {
  return { stopped: null, resumed: null, paused: {}, seq: 0, control_seq: 0, updated_at: null };
}

/** Fold one recorded event into the state (any other event leaves it as it is). Pure. */
export function evolveSystem(s: SystemRecord, event: AgentEvent, seq: number): SystemRecord {
  const at = event.occurred_at;
  const next = { ...s, seq: Math.max(s.seq, seq), updated_at: at };
  switch (event.type) {
    case "system.stopped":
      // A stop while stopped keeps its first `since` (the orchestrator records only one anyway).
      return { ...next, stopped: { reason: event.data.reason, since: s.stopped?.since ?? at } };
    case "system.resumed":
      return { ...next, stopped: null, resumed: { reason: event.data.reason, since: at } };
    case "queue.paused": {
      const since = s.paused[event.data.queue]?.since ?? at;
      return { ...next, paused: { ...s.paused, [event.data.queue]: { reason: event.data.reason, since } } };
    }
    case "queue.resumed": {
      const { [event.data.queue]: _, ...rest } = s.paused;
      return { ...next, paused: rest };
    }
    default:
      return s;
  }
}

/** The paused queues of a record, in queue order. */
export function pausedQueues(s: SystemRecord): QueueName[] {
  return QueueName.options.filter((q) => s.paused[q] !== undefined);
}
