// Read model of the system's state (collection system_state, one document): whether an emergency
// stop is in force (with its reason and since when) and which queues are paused. Folded from the
// recorded system.stopped / system.resumed / queue.paused / queue.resumed events, so every reader
// (gateway, dashboard, CLI) sees the state the orchestrator recorded. Serves systemState.
import type { AgentEvent, QueueName } from "../../core/events/index.ts";
import type { FoldContext } from "../context.ts";

export const SYSTEM_KEY = "system";

export type QueuePause = { reason: string; since: string };

export type SystemStateDoc = {
  _key: typeof SYSTEM_KEY;
  seq: number;
  stopped: boolean;
  /** Why the system was stopped (the latest stop), or null when never stopped. */
  stop_reason: string | null;
  /** When the stop in force began; null while running. */
  stopped_since: string | null;
  /** When the latest resume happened, and why. */
  resumed_at: string | null;
  resume_reason: string | null;
  /** Paused queues with their reason and since when. */
  paused: Partial<Record<QueueName, QueuePause>>;
  updated_at: string | null;
};

/** The state before any system event: running, nothing paused. */
export function initialSystemState(): SystemStateDoc {
  return {
    _key: SYSTEM_KEY,
    seq: 0,
    stopped: false,
    stop_reason: null,
    stopped_since: null,
    resumed_at: null,
    resume_reason: null,
    paused: {},
    updated_at: null,
  };
}

/** True for the events this read model folds. */
export function isSystemStateEvent(event: AgentEvent): boolean {
  switch (event.type) {
    case "system.stopped":
    case "system.resumed":
    case "queue.paused":
    case "queue.resumed":
      return true;
    default:
      return false;
  }
}

/** Fold one system event into the state; any other event leaves it as it is. */
export function evolveSystemState(
  doc: SystemStateDoc | null,
  event: AgentEvent,
  ctx: FoldContext,
): SystemStateDoc | null {
  const s = doc ?? initialSystemState();
  const at = event.occurred_at;
  const base = { ...s, seq: ctx.seq, updated_at: at };
  switch (event.type) {
    case "system.stopped":
      // A second stop while stopped keeps the original since (the orchestrator records only one).
      return {
        ...base,
        stopped: true,
        stop_reason: event.data.reason,
        stopped_since: s.stopped ? s.stopped_since : at,
      };
    case "system.resumed":
      return {
        ...base,
        stopped: false,
        stopped_since: null,
        resumed_at: at,
        resume_reason: event.data.reason,
      };
    case "queue.paused": {
      const since = s.paused[event.data.queue]?.since ?? at;
      return { ...base, paused: { ...s.paused, [event.data.queue]: { reason: event.data.reason, since } } };
    }
    case "queue.resumed": {
      const { [event.data.queue]: _, ...rest } = s.paused;
      return { ...base, paused: rest };
    }
    default:
      return doc;
  }
}
