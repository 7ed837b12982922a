// Whether a worker may start the task a work item names, given the task's last event.
import type { WorkItem } from "../events/index.ts";
import { TaskStatus as S, type TaskStatus } from "../lifecycle/index.ts";

export type ClaimDecision =
  | { kind: "start"; reclaimed: boolean }
  /** The item is stale or a duplicate: ack it and do nothing. */
  | { kind: "drop"; why: string }
  /** A cancel was requested before the task started: record it cancelled. */
  | { kind: "cancel" }
  /** Not ready yet: put the item back for later. */
  | { kind: "later"; delayMs: number; why: string };

export type ClaimInput = {
  item: WorkItem;
  /** Status after the task's last event (null: no such task). */
  status: TaskStatus | null;
  /** The task's current attempt number. */
  attempt: number;
  /** Whether the work message was delivered before (its worker went silent). */
  redelivered: boolean;
  now: number;
};

/** Decide what to do with a work item. Pure. */
export function decideClaim(c: ClaimInput): ClaimDecision {
  if (c.item.not_before) {
    const wait = Date.parse(c.item.not_before) - c.now;
    if (wait > 0) return { kind: "later", delayMs: wait, why: "retry backoff" };
  }
  if (c.status === null) return { kind: "drop", why: "no such task" };
  if (c.item.attempt < c.attempt) return { kind: "drop", why: `stale item for attempt ${c.item.attempt}` };
  switch (c.status) {
    case S.Queued:
    case S.Interrupted:
      return { kind: "start", reclaimed: false };
    case S.Running:
      return c.redelivered
        ? { kind: "start", reclaimed: true }
        : { kind: "drop", why: "already running elsewhere" };
    case S.CancelRequested:
      return { kind: "cancel" };
    case S.Pending:
      return { kind: "later", delayMs: 500, why: "task not queued yet" };
    case S.Failed:
    case S.Completed:
    case S.HandedOff:
    case S.DeadLettered:
    case S.Cancelled:
      return { kind: "drop", why: `task is ${c.status}` };
    default: {
      const never: never = c.status;
      throw new Error(`unknown status ${String(never)}`);
    }
  }
}
