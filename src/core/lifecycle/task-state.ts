// The task aggregate: a pure evolve over its events, used by actors to decide what comes next.
import type { AgentEvent, EventData } from "../events/index.ts";
import {
  createdStatus,
  isTaskEventType,
  nextStatus,
  type TaskEventType,
  type TaskStatus,
} from "./transitions.ts";

export type TaskState = {
  task_id: string;
  job_id: string;
  status: TaskStatus;
  created: EventData<"task.created">;
  attempt: number;
  /** Model for the next or current attempt (may move along the fallback chain). */
  model: string;
  /** Validation feedback to append to the next prompt. */
  feedback: string | undefined;
  not_before: string | undefined;
  last_error: string | undefined;
  worker_id: string | undefined;
  output_ref: string | undefined;
  /** The output itself when it travelled inline (then nothing is stored under output_ref). */
  output_inline: string | undefined;
  cost_usd: number;
  /** Stream sequence of the last event applied: the expected sequence for the next write. */
  seq: number;
  /** Stream sequence of task.created, so a worker can fetch it directly. */
  created_seq: number;
  /** Interrupted with its message acked: it waits for the orchestrator to dispatch it again. */
  redispatch: boolean;
  /** When the last event applied happened (its occurred_at). */
  updated_at: string;
};

/** A task as its task.created (stored at `seq`, happened at `at`) leaves it. */
export function taskFromCreated(
  ids: { task_id: string; job_id: string },
  data: EventData<"task.created">,
  seq: number,
  at: string,
): TaskState {
  return {
    task_id: ids.task_id,
    job_id: ids.job_id,
    // v2: created queued for its first attempt (no task.queued follows); v1: pending.
    status: createdStatus(data),
    created: data,
    attempt: data.queued?.attempt ?? 0,
    model: data.model,
    feedback: undefined,
    not_before: undefined,
    last_error: undefined,
    worker_id: undefined,
    output_ref: undefined,
    output_inline: undefined,
    cost_usd: 0,
    seq,
    created_seq: seq,
    redispatch: false,
    updated_at: at,
  };
}

/** Apply one event to a task's state; throws IllegalTransitionError on a disallowed move. */
export function evolveTask(state: TaskState | null, event: AgentEvent, seq: number): TaskState {
  if (!isTaskEventType(event.type)) return state as TaskState;
  const status = nextStatus(state?.status ?? null, event.type as TaskEventType, event.task_id);
  if (event.type === "task.created")
    return taskFromCreated(
      { task_id: event.task_id ?? "", job_id: event.job_id ?? "" },
      event.data,
      seq,
      event.occurred_at,
    );
  const s = { ...(state as TaskState), status, seq, redispatch: false, updated_at: event.occurred_at };
  switch (event.type) {
    case "task.queued":
      return { ...s, attempt: Math.max(s.attempt, event.data.attempt) };
    case "task.retry_scheduled":
      return {
        ...s,
        attempt: event.data.attempt,
        not_before: event.data.not_before,
        feedback: event.data.feedback,
        model: event.data.model ?? s.model,
      };
    case "task.started":
      return { ...s, worker_id: event.data.worker_id, model: event.data.model };
    case "task.interrupted":
      return { ...s, model: event.data.model ?? s.model, redispatch: event.data.redispatch === true };
    case "task.requeued":
      return { ...s, attempt: event.data.attempt, not_before: undefined };
    case "task.completed":
    case "task.handoff_requested":
      return {
        ...s,
        output_ref: event.data.output_ref,
        output_inline: event.data.output_inline,
        cost_usd: s.cost_usd + event.data.cost_usd,
      };
    case "task.failed":
      return {
        ...s,
        last_error: `${event.data.reason}: ${event.data.error}`,
        cost_usd: s.cost_usd + event.data.cost_usd,
      };
    case "validation.failed":
      return {
        ...s,
        last_error: `validation: ${event.data.failures.map((f) => f.error).join("; ")}`,
        feedback: event.data.feedback,
        output_ref: event.data.output_ref,
        output_inline: event.data.output_inline,
        cost_usd: s.cost_usd + event.data.cost_usd,
      };
    default:
      return s;
  }
}

/** Fold a task's history (in stream order) into its state. */
export function foldTask(events: Iterable<{ event: AgentEvent; seq: number }>): TaskState | null {
  let state: TaskState | null = null;
  for (const { event, seq } of events) state = evolveTask(state, event, seq);
  return state;
}
