// Load what a worker needs to run a task: its state from the event stream.
import { type EventOf, Subjects, type WorkItem } from "../../core/events/index.ts";
import {
  evolveTask,
  foldTask,
  isTaskEventType,
  statusAfter,
  type TaskState,
  TaskStatus,
  taskFromCreated,
} from "../../core/lifecycle/index.ts";
import type { EventStore, StoredEvent } from "../../core/ports/event-store.ts";

/**
 * The task's state, read as cheaply as the item allows:
 * - `trustItem` and the item carries `queued_seq` and task.created itself: no read at all;
 * - `trustItem` and the item carries `queued_seq`: one direct get (task.created); the state is
 *   "queued at queued_seq", which the claim's conditional append then checks;
 * - the last event is a task.created that queued the task (catalogue v2): one direct get;
 * - the last event is task.queued or task.retry_scheduled: two direct gets;
 * - otherwise the subject's full history.
 */
export async function loadTask(
  events: EventStore,
  item: WorkItem,
  trustItem = false,
): Promise<TaskState | null> {
  if (trustItem && item.queued_seq) {
    const base = await createdTask(events, item);
    if (base) return { ...base, status: TaskStatus.Queued, seq: item.queued_seq, attempt: item.attempt };
  }
  const subject = Subjects.task(item.task_id);
  const last = await events.lastEvent(subject);
  if (!last) return null;
  const e = last.event;
  if (e.type === "task.created" && e.task_id === item.task_id) return evolveTask(null, e, last.seq);
  if (e.type === "task.queued" || e.type === "task.retry_scheduled") {
    const created = await createdEvent(events, item);
    if (created) {
      const base = evolveTask(null, created.event, created.seq);
      const status = statusAfter(e.type);
      if (e.type === "task.queued") return { ...base, status, seq: last.seq, attempt: e.data.attempt };
      return {
        ...base,
        status,
        seq: last.seq,
        attempt: e.data.attempt,
        feedback: e.data.feedback,
        model: e.data.model ?? base.model,
      };
    }
  }
  const history: StoredEvent[] = [];
  for await (const s of events.read(subject)) if (isTaskEventType(s.event.type)) history.push(s);
  return foldTask(history);
}

/**
 * The task as the task.created the item points at leaves it: from the item's own copy when it
 * carries one (nothing read; its time is unknown here and unused by the worker, so the time it is
 * taken up stands in), else read from the stream.
 */
async function createdTask(events: EventStore, item: WorkItem): Promise<TaskState | undefined> {
  if (item.created && item.created_seq)
    return taskFromCreated(item, item.created, item.created_seq, new Date().toISOString());
  const created = await createdEvent(events, item);
  return created ? evolveTask(null, created.event, created.seq) : undefined;
}

/** The task.created event the item points at, when it is there and is this task's. */
async function createdEvent(
  events: EventStore,
  item: WorkItem,
): Promise<{ event: EventOf<"task.created">; seq: number } | undefined> {
  if (!item.created_seq) return undefined;
  const stored = await events.eventAt(item.created_seq);
  const e = stored?.event;
  if (!stored || e?.type !== "task.created" || e.task_id !== item.task_id) return undefined;
  return { event: e, seq: stored.seq };
}
