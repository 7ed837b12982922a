// Build events with metadata; ids are deterministic when derived from a cause, so a replayed
// decision publishes the same id and JetStream stores it once.
import { randomUUID } from "node:crypto";
import { stableId } from "../ids.ts";
import type { AgentEvent, AgentEventType, EventData } from "./catalogue/index.ts";

export type EventContext = {
  job_id?: string | undefined;
  task_id?: string | undefined;
  causation_id?: string | undefined;
  correlation_id?: string | undefined;
  /** Explicit id; default: derived from causation + type + task/job, else random. */
  id?: string;
  /** Time as data (ms since epoch) so decisions stay pure. */
  now: number;
};

/** An event's type and data, without its metadata. */
export type EventBody = { [T in AgentEventType]: { type: T; data: EventData<T> } }[AgentEventType];

/** Assemble an event from its body (a decider's output) and metadata. */
export function eventFrom(body: EventBody, ctx: EventContext): AgentEvent {
  return newEvent(body.type, body.data as EventData<typeof body.type>, ctx);
}

/** Assemble a typed event with metadata. */
export function newEvent<T extends AgentEventType>(
  type: T,
  data: EventData<T>,
  ctx: EventContext,
): AgentEvent {
  const id = ctx.id ?? deriveEventId(ctx, type);
  const ev = {
    type,
    data,
    id,
    schema_version: schemaVersionOf({ type, data } as EventBody),
    occurred_at: new Date(ctx.now).toISOString(),
    ...(ctx.job_id ? { job_id: ctx.job_id } : {}),
    ...(ctx.task_id ? { task_id: ctx.task_id } : {}),
    ...(ctx.causation_id ? { causation_id: ctx.causation_id } : {}),
    ...(ctx.correlation_id ? { correlation_id: ctx.correlation_id } : {}),
  };
  return ev as AgentEvent;
}

/**
 * The version an event is written with: 2 only for the v2 forms (a task.created that queues its
 * task, a job.submitted that carries its acceptance), which a version-1 reader would fold wrongly
 * (it would take the task as pending, the job as not accepted) and so must refuse; 1 for the rest.
 */
export function schemaVersionOf(body: EventBody): 1 | 2 {
  if (body.type === "task.created" && body.data.queued) return 2;
  if (body.type === "job.submitted" && body.data.accepted) return 2;
  return 1;
}

function deriveEventId(ctx: EventContext, type: string): string {
  if (!ctx.causation_id) return randomUUID();
  return stableId(ctx.causation_id, type, ctx.task_id ?? "", ctx.job_id ?? "");
}
