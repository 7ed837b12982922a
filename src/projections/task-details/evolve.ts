// Read model of one task (collections tasks_standard, tasks_heavy, tasks_critic): status, type,
// attempts, timings, worker, model, usage, cost, output and last error. Serves getTask and listTasks.
import type { AgentEvent, EventOf } from "../../core/events/index.ts";
import {
  canApply,
  isFinal,
  isTaskEventType,
  nextStatus,
  type TaskEventType,
} from "../../core/lifecycle/index.ts";
import type { FoldContext } from "../context.ts";
import { addUsage, NO_USAGE } from "../usage.ts";
import type { TaskDoc } from "./doc.ts";

export type { TaskDoc } from "./doc.ts";

export type TaskEvent = Extract<AgentEvent, { type: TaskEventType }>;

/** True for events on a task's own subject. */
export function isTaskEvent(event: AgentEvent): event is TaskEvent {
  return isTaskEventType(event.type);
}

/** Fold one event into a task's document; an event the lifecycle does not allow leaves it as it is. */
export function evolveTaskDetails(doc: TaskDoc | null, event: AgentEvent, ctx: FoldContext): TaskDoc | null {
  if (!isTaskEvent(event)) return doc;
  if (event.type === "task.created") return doc ?? created(event, ctx.seq);
  if (!doc || !canApply(doc.status, event.type)) return doc;
  const status = nextStatus(doc.status, event.type, doc.task_id);
  const at = event.occurred_at;
  const finished_at = doc.finished_at ?? (isFinal(status) ? at : null);
  // One copy per event: the bookkeeping plus the event's own fields.
  return {
    ...doc,
    status,
    seq: ctx.seq,
    updated_at: at,
    events: doc.events + 1,
    finished_at,
    ...patch(doc, event),
    waiting: waitingAfter(doc, event),
  };
}

/**
 * What the task waits for after `event`: a waiting progress or interruption says (the since of a
 * continuing wait for the same reason stays); progress without it (the wait is over) and any other
 * event but a start after an interruption end it. A 429's or a spent budget's wait lasts across the
 * task's return to the queue, until it starts again.
 */
function waitingAfter(doc: TaskDoc, event: Exclude<TaskEvent, EventOf<"task.created">>): TaskDoc["waiting"] {
  const w =
    event.type === "task.progress" || event.type === "task.interrupted" ? event.data.waiting : undefined;
  if (w) {
    const same = doc.waiting?.why === w.why && doc.waiting.model === w.model;
    return { ...w, since: same && doc.waiting ? doc.waiting.since : event.occurred_at };
  }
  if (event.type === "task.queued" || event.type === "task.retry_scheduled") return doc.waiting;
  return null;
}

function created(event: EventOf<"task.created">, seq: number): TaskDoc {
  const d = event.data;
  const id = event.task_id ?? "";
  return {
    _key: id,
    seq,
    task_id: id,
    job_id: event.job_id ?? "",
    queue: d.queue,
    type: d.task_type,
    status: nextStatus(null, "task.created", id),
    iteration: d.iteration,
    round: d.round,
    priority: d.priority,
    band: d.band,
    attempts: 0,
    parent_task_id: d.parent_task_id ?? null,
    root_task_id: d.root_task_id ?? null,
    target_task_id: d.target_task_id ?? null,
    model: d.model,
    worker_id: null,
    executor: null,
    session_id: null,
    created_at: event.occurred_at,
    queued_at: null,
    started_at: null,
    finished_at: null,
    updated_at: event.occurred_at,
    duration_ms: null,
    usage: NO_USAGE,
    cost_usd: 0,
    output_ref: null,
    output_bytes: null,
    last_error: null,
    cancel_reason: null,
    events: 1,
    waiting: null,
  };
}

// The fields each event sets, beside status and bookkeeping.
function patch(t: TaskDoc, event: Exclude<TaskEvent, EventOf<"task.created">>): Partial<TaskDoc> {
  const at = event.occurred_at;
  switch (event.type) {
    case "task.queued":
      return { queued_at: at, priority: event.data.priority, band: event.data.band };
    case "task.retry_scheduled":
      return { queued_at: at, model: event.data.model ?? t.model };
    case "task.started": {
      const d = event.data;
      const attempts = Math.max(t.attempts, d.attempt);
      return {
        attempts,
        started_at: at,
        worker_id: d.worker_id,
        executor: d.executor,
        model: d.model,
        ...(t.waiting_until ? { waiting_until: null } : {}),
      };
    }
    case "task.progress":
      return {};
    case "task.completed":
    case "task.handoff_requested": {
      const d = event.data;
      return {
        model: d.model,
        duration_ms: d.duration_ms,
        usage: addUsage(t.usage, d.usage),
        cost_usd: t.cost_usd + d.cost_usd,
        output_ref: d.output_ref,
        output_inline: d.output_inline,
        output_bytes: d.output_bytes,
        session_id: d.session_id ?? t.session_id,
        ...runExtras(d),
      };
    }
    case "task.failed": {
      const d = event.data;
      return {
        attempts: Math.max(t.attempts, d.attempt),
        duration_ms: d.duration_ms,
        usage: addUsage(t.usage, d.usage),
        cost_usd: t.cost_usd + d.cost_usd,
        last_error: `${d.reason}: ${d.error}`,
      };
    }
    case "validation.failed": {
      const d = event.data;
      return {
        attempts: Math.max(t.attempts, d.attempt),
        duration_ms: d.duration_ms,
        usage: addUsage(t.usage, d.usage),
        cost_usd: t.cost_usd + d.cost_usd,
        output_ref: d.output_ref,
        output_inline: d.output_inline,
        last_error: `validation: ${d.failures.map((f) => `${f.type}: ${f.error}`).join("; ")}`,
      };
    }
    case "task.dead_lettered":
      return { last_error: event.data.last_error || t.last_error };
    case "task.cancel_requested":
    case "task.cancelled":
      return { cancel_reason: event.data.reason };
    case "task.interrupted":
      return {
        worker_id: null,
        last_error: `interrupted: ${event.data.reason}`,
        ...(event.data.waiting_until ? { waiting_until: event.data.waiting_until } : {}),
        ...(event.data.model ? { model: event.data.model } : {}),
      };
    case "task.requeued":
      // Out of the dead letter: open again (its last error stays until the next attempt says otherwise).
      return { queued_at: at, finished_at: null };
    default: {
      const never: never = event;
      throw new Error(`unhandled task event ${JSON.stringify(never)}`);
    }
  }
}

/** What a run reports beyond its output: files kept, tools refused, an unknown cost (only when present). */
function runExtras(d: EventOf<"task.completed">["data"]): Partial<TaskDoc> {
  return {
    ...(d.artifacts ? { artifacts: d.artifacts } : {}),
    ...(d.artifacts_skipped ? { artifacts_skipped: d.artifacts_skipped } : {}),
    ...(d.permission_denials ? { permission_denials: d.permission_denials } : {}),
    ...(d.unpriced ? { unpriced: true } : {}),
  };
}
