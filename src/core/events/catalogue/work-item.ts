// Messages outside the event catalogue: work dispatch items and control commands (plain JSON).
import { z } from "zod";
import { Route } from "../../providers/routes.ts";
import { Band, Id, QueueName } from "./shared.ts";
import { TaskCreated } from "./task-events.ts";

/** One dispatch on `agents.work.<route>.<queue>.<band>`; the task's events say what to run. */
export const WorkItem = z.object({
  task_id: Id,
  job_id: Id,
  /** The executor that runs the task's model (absent on items from before routing: the worker derives it). */
  route: Route.optional(),
  queue: QueueName,
  band: Band,
  priority: z.number().int(),
  attempt: z.number().int().positive(),
  /** Stream sequence of the task's task.created event (a direct get instead of a history read). */
  created_seq: z.number().int().positive().optional(),
  /**
   * The task's last stream sequence when it was dispatched, given only while its state then was
   * task.created plus this attempt (its first model, no feedback): the worker appends task.started
   * expecting exactly this sequence without reading the task first. If the task moved on, that
   * append fails and the worker reads the task as usual.
   */
  queued_seq: z.number().int().positive().optional(),
  /**
   * The data of the task.created at `created_seq`, as stored, when it is small and the item carries
   * `queued_seq`: the worker then claims without reading the stream at all (one round trip fewer
   * between dispatch and start). An event is immutable, so the copy is what the read would return.
   */
  created: TaskCreated.shape.data.optional(),
  /** Do not start before this time (retry backoff): the worker naks with the remaining delay. */
  not_before: z.iso.datetime().optional(),
});
export type WorkItem = z.infer<typeof WorkItem>;

/** `agents.control.stop` / `agents.control.resume`: `nats pub agents.control.stop '{"reason":"…"}'`. */
export const ControlStopResume = z.object({ reason: z.string().max(2000).optional() }).strict();

/** `agents.control.cancel`: a job or a task. */
export const ControlCancel = z
  .object({ job_id: Id.optional(), task_id: Id.optional(), reason: z.string().max(2000).optional() })
  .strict()
  .refine((c) => Boolean(c.job_id) !== Boolean(c.task_id), {
    message: "give exactly one of job_id or task_id",
  });

/** `agents.control.retry`: queue a dead-lettered task again (one more attempt). */
export const ControlRetry = z.object({ task_id: Id, reason: z.string().max(2000).optional() }).strict();

/** `agents.control.pause` / `agents.control.unpause`: one queue. */
export const ControlQueue = z.object({ queue: QueueName, reason: z.string().max(2000).optional() }).strict();
