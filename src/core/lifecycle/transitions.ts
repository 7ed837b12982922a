// The task lifecycle as explicit allowed transitions: which event may move which status where.
import { AgentsError, ErrorCode } from "../errors.ts";
import type { AgentEventType } from "../events/index.ts";

export const TaskStatus = {
  Pending: "pending",
  Queued: "queued",
  Running: "running",
  CancelRequested: "cancel_requested",
  Completed: "completed",
  Failed: "failed",
  HandedOff: "handed_off",
  Interrupted: "interrupted",
  DeadLettered: "dead_lettered",
  Cancelled: "cancelled",
} as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

export const FINAL_STATUSES: ReadonlySet<TaskStatus> = new Set([
  TaskStatus.Completed,
  TaskStatus.HandedOff,
  TaskStatus.DeadLettered,
  TaskStatus.Cancelled,
]);

/** Events that change a task's status. */
export type TaskEventType = Extract<AgentEventType, `task.${string}` | "validation.failed">;

const S = TaskStatus;
type Rule = { from: ReadonlyArray<TaskStatus | null>; to: TaskStatus | "same" };

/** For each event: the statuses it may be applied in, and the status it leads to. */
export const TRANSITIONS: Record<TaskEventType, Rule> = {
  // Pending in v1; a v2 task.created carrying `queued` is queued at once (see createdStatus).
  "task.created": { from: [null], to: S.Pending },
  "task.queued": { from: [S.Pending, S.Interrupted], to: S.Queued },
  "task.retry_scheduled": { from: [S.Failed], to: S.Queued },
  // running → running is a reclaim: the work message was redelivered because its worker went silent.
  // interrupted → running: an emergency stop returned the work message to the queue; after resume a
  // worker starts it again (see decideClaim in src/core/worker/claim.ts).
  "task.started": { from: [S.Queued, S.Running, S.Interrupted], to: S.Running },
  "task.progress": { from: [S.Running, S.CancelRequested], to: "same" },
  "task.completed": { from: [S.Running, S.CancelRequested], to: S.Completed },
  "task.handoff_requested": { from: [S.Running, S.CancelRequested], to: S.HandedOff },
  "task.failed": { from: [S.Running, S.CancelRequested], to: S.Failed },
  "validation.failed": { from: [S.Running, S.CancelRequested], to: S.Failed },
  "task.dead_lettered": { from: [S.Failed], to: S.DeadLettered },
  "task.cancel_requested": { from: [S.Running], to: S.CancelRequested },
  "task.cancelled": {
    from: [S.Pending, S.Queued, S.Running, S.CancelRequested, S.Failed, S.Interrupted],
    to: S.Cancelled,
  },
  "task.interrupted": { from: [S.Running], to: S.Interrupted },
  // An operator's retry (agents.control.retry): the one way out of the dead letter.
  "task.requeued": { from: [S.DeadLettered], to: S.Queued },
};

/** A task event applied in a status that does not allow it. */
export class IllegalTransitionError extends AgentsError {
  readonly from: TaskStatus | null;
  readonly eventType: string;
  constructor(from: TaskStatus | null, eventType: string, taskId?: string) {
    super(
      ErrorCode.IllegalTransition,
      `${eventType} is not allowed when task ${taskId ?? ""} is ${from ?? "absent"}`.replace("  ", " "),
    );
    this.from = from;
    this.eventType = eventType;
  }
}

/** True when the event type changes task status (as opposed to job or system events). */
export function isTaskEventType(type: string): type is TaskEventType {
  return Object.hasOwn(TRANSITIONS, type);
}

/** Whether `type` may be applied to a task in status `from`. */
export function canApply(from: TaskStatus | null, type: TaskEventType): boolean {
  return TRANSITIONS[type].from.includes(from);
}

/** The status after applying `type` in `from`, or an IllegalTransitionError. */
export function nextStatus(from: TaskStatus | null, type: TaskEventType, taskId?: string): TaskStatus {
  const rule = TRANSITIONS[type];
  if (!rule.from.includes(from)) throw new IllegalTransitionError(from, type, taskId);
  if (rule.to === "same") return from as TaskStatus;
  return rule.to;
}

/** A new task's status: queued when its task.created carries the queueing (v2), else pending. */
export function createdStatus(data: { queued?: unknown }): TaskStatus {
  return data.queued ? S.Queued : S.Pending;
}

/**
 * The status a task is in when `type` is the last event on its subject (for task.created, the v1
 * status: use createdStatus when the event's data is at hand).
 */
export function statusAfter(type: TaskEventType): TaskStatus {
  const to = TRANSITIONS[type].to;
  return to === "same" ? S.Running : to;
}

export function isFinal(status: TaskStatus): boolean {
  return FINAL_STATUSES.has(status);
}
