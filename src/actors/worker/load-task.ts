// Load what a worker needs to run a task: its state from the event stream.
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import {
  AgentEvent,
  decodeWith,
  lastEvent,
  readEvents,
  STREAM_EVENTS,
  Subjects,
  type WorkItem,
} from "../../events/index.ts";
import { evolveTask, foldTask, isTaskEventType, statusAfter, type TaskState } from "../../lifecycle/index.ts";

/**
 * The task's state. Fast path (two direct gets) when the last event is task.queued or
 * task.retry_scheduled and the item names the created event; otherwise the subject's full history.
 */
export async function loadTask(
  js: JetStreamClient,
  jsm: JetStreamManager,
  item: WorkItem,
): Promise<TaskState | null> {
  const subject = Subjects.task(item.task_id);
  const last = await lastEvent(jsm, subject);
  if (!last) return null;
  const e = last.event;
  if (item.created_seq && (e.type === "task.queued" || e.type === "task.retry_scheduled")) {
    const m = await jsm.streams.getMessage(STREAM_EVENTS, { seq: item.created_seq });
    const created = m ? decodeWith(AgentEvent, m.data) : undefined;
    if (m && created?.ok && created.value.type === "task.created" && created.value.task_id === item.task_id) {
      const base = evolveTask(null, created.value, m.seq);
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
  const history = [];
  for await (const s of readEvents(js, jsm, subject)) if (isTaskEventType(s.event.type)) history.push(s);
  return foldTask(history);
}
