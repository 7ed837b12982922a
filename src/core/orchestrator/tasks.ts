// Decisions that create and dispatch tasks.
import { type Attachment, type EventData, newEvent, Subjects, type WorkItem } from "../events/index.ts";
import { taskIdFor } from "../ids.ts";
import { type TaskState, TaskStatus } from "../lifecycle/index.ts";
import { type ModelRoutes, routeFor } from "../providers/routes.ts";
import type { AppendCommand, Command, DecideContext } from "./commands.ts";
import { bandFor, priorityFor, queueFor } from "./planning.ts";
import type { JobState } from "./state.ts";

type TaskType = EventData<"task.created">["task_type"];

export type NewTask = {
  type: TaskType;
  iteration: number;
  ordinal: number;
  prompt: string;
  attachments?: Attachment[];
  parent_task_id?: string;
  root_task_id?: string;
  target_task_id?: string;
  target_model?: string;
  round?: number;
};

/**
 * task.created for a new task (expected sequence 0: a second decision for the same id is dropped),
 * queued for its first attempt as it is created (catalogue v2): once it is stored, the decision on
 * it dispatches the work item, with no task.queued between.
 */
export function createTask(job: JobState, t: NewTask, causation: string, ctx: DecideContext): Command {
  const s = job.submission;
  const task_id = taskIdFor(job.job_id, t.iteration, t.type, t.ordinal);
  const priority = priorityFor(t.type, t.iteration, s.priority ?? 0);
  const queue = queueFor(t.type, s.queue ?? "standard");
  const band = bandFor(priority);
  const data: EventData<"task.created"> = {
    task_type: t.type,
    queue,
    iteration: t.iteration,
    priority,
    band,
    prompt: { inline: t.prompt },
    attachments: t.attachments ?? [],
    model: job.model || ctx.config.defaultModel,
    fallback_models: s.fallback_models ?? [],
    max_attempts: job.max_attempts,
    timeout_ms: s.timeout_ms ?? ctx.config.taskTimeoutMs,
    validation: t.type === "critic" ? [] : (s.validation ?? []),
    round: t.round ?? 0,
    // A critic only reads and scores: it gets the workers' defaults, not the submission's agent options.
    ...(t.type === "critic" ? {} : agentOptions(s)),
    ...(t.parent_task_id ? { parent_task_id: t.parent_task_id } : {}),
    ...(t.root_task_id ? { root_task_id: t.root_task_id } : {}),
    ...(t.target_task_id ? { target_task_id: t.target_task_id } : {}),
    ...(t.target_model ? { target_model: t.target_model } : {}),
    queued: { attempt: 1, queue, band, priority },
  };
  const event = newEvent("task.created", data, {
    job_id: job.job_id,
    task_id,
    causation_id: causation,
    correlation_id: job.job_id,
    now: ctx.now,
  });
  return { kind: "append", subject: Subjects.task(task_id), event, expectedSeq: 0 };
}

/** The submission's agent options, when it set any. */
function agentOptions(s: JobState["submission"]): { agent?: EventData<"task.created">["agent"] } {
  const agent = {
    ...(s.permission_mode ? { permission_mode: s.permission_mode } : {}),
    ...(s.allowed_tools ? { allowed_tools: s.allowed_tools } : {}),
    ...(s.max_turns ? { max_turns: s.max_turns } : {}),
    ...(s.system_prompt ? { system_prompt: s.system_prompt } : {}),
    ...(s.max_tokens ? { max_tokens: s.max_tokens } : {}),
  };
  return Object.keys(agent).length > 0 ? { agent } : {};
}

/**
 * Largest task.created data (JSON characters, so at most three times as many UTF-8 bytes) a work
 * item carries: well under the work stream's 64 KiB message limit, and small enough that a worker
 * holding many items keeps little.
 */
export const CREATED_IN_ITEM_MAX_BYTES = 8 * 1024;

/**
 * The work item for a task's current attempt, on the route of the model it runs next. `stored` is
 * the task.created data exactly as stored (the state's copy drops attachment text): given when the
 * item is decided on that event, it travels in the item if small, so the worker need not read it.
 */
export function workItemFor(
  task: TaskState,
  routes: ModelRoutes = [],
  stored?: EventData<"task.created">,
): WorkItem {
  const c = task.created;
  const fromCreated = startsFromCreated(task);
  const carried =
    fromCreated && stored && JSON.stringify(stored).length <= CREATED_IN_ITEM_MAX_BYTES ? stored : undefined;
  return {
    task_id: task.task_id,
    job_id: task.job_id,
    route: routeFor(task.model, routes),
    queue: c.queue,
    band: c.band,
    priority: c.priority,
    attempt: Math.max(task.attempt, 1),
    created_seq: task.created_seq,
    ...(fromCreated ? { queued_seq: task.seq } : {}),
    ...(task.not_before ? { not_before: task.not_before } : {}),
    ...(carried ? { created: carried } : {}),
  };
}

/** A queued task a worker can rebuild from task.created and the work item alone. */
function startsFromCreated(task: TaskState): boolean {
  return task.status === TaskStatus.Queued && task.model === task.created.model && !task.feedback;
}

/** Append an event to a task's subject, guarded by the task's last known sequence. */
export function appendToTask<T extends Parameters<typeof newEvent>[0]>(
  task: TaskState,
  type: T,
  data: EventData<T>,
  causation: string,
  ctx: DecideContext,
): Command {
  const event = newEvent(type, data, {
    job_id: task.job_id,
    task_id: task.task_id,
    causation_id: causation,
    correlation_id: task.job_id,
    now: ctx.now,
  });
  return { kind: "append", subject: Subjects.task(task.task_id), event, expectedSeq: task.seq };
}

/** Append an event to a job's subject. */
export function appendToJob<T extends Parameters<typeof newEvent>[0]>(
  jobId: string,
  type: T,
  data: EventData<T>,
  causation: string,
  ctx: DecideContext,
): AppendCommand {
  const event = newEvent(type, data, {
    job_id: jobId,
    causation_id: causation,
    correlation_id: jobId,
    now: ctx.now,
  });
  return { kind: "append", subject: Subjects.job(jobId), event };
}
