// Events on `agents.task.<taskId>`: one task's lifecycle. The last event on the subject gives the
// task's state (see src/core/lifecycle), which is what makes optimistic concurrency per task work.
import { z } from "zod";
import {
  Band,
  FailureReason,
  Id,
  InlineOutput,
  ObjectRef,
  QueueName,
  TaskType,
  TextRef,
  UsageSchema,
} from "./shared.ts";
import { AgentOptions, ValidationSpecInput } from "./submission.ts";

/** A task's queueing for an attempt: task.queued's data, and (v2) task.created's `queued`. */
export const QueuedData = z.object({
  attempt: z.number().int().positive(),
  queue: QueueName,
  band: Band,
  priority: z.number().int(),
});
export type QueuedData = z.infer<typeof QueuedData>;

/**
 * Context appended to a task's prompt: an earlier output by its object key, with the text itself
 * when that output travelled inline (then nothing is stored under the key).
 */
export const Attachment = z.object({
  label: z.string().max(200),
  ref: ObjectRef,
  inline: InlineOutput.optional(),
});
export type Attachment = z.infer<typeof Attachment>;

export const TaskCreated = z.object({
  type: z.literal("task.created"),
  data: z.object({
    task_type: TaskType,
    queue: QueueName,
    iteration: z.number().int().positive(),
    priority: z.number().int(),
    band: Band,
    parent_task_id: Id.optional(),
    /** The generator task that started this iteration's chain. */
    root_task_id: Id.optional(),
    prompt: TextRef,
    /** Context the worker appends to the prompt (earlier output, handoff context), by reference or inline. */
    attachments: z.array(Attachment).default([]),
    model: z.string().min(1),
    fallback_models: z.array(z.string()).default([]),
    max_attempts: z.number().int().positive(),
    timeout_ms: z.number().int().positive(),
    validation: z.array(ValidationSpecInput).default([]),
    /** Revision round (reviser/critic) or chain position (continuation). */
    round: z.number().int().nonnegative().default(0),
    /** For critic tasks: the task whose output is judged. */
    target_task_id: Id.optional(),
    /**
     * For critic tasks: the model that produced the judged output (its task.completed names it), so
     * the critic labels its scores without reading that task's last event. Absent on events written
     * before it: the critic reads it then.
     */
    target_model: z.string().min(1).optional(),
    /** How the agent runs: permission mode, tools, turns, system prompt, output cap (from the submission). */
    agent: AgentOptions.optional(),
    /**
     * Catalogue v2: the task was queued for its first attempt as it was created (the orchestrator
     * dispatches it once this event is stored), so no task.queued follows. Absent (v1): the task is
     * pending until its task.queued.
     */
    queued: QueuedData.optional(),
  }),
});

/** Queued for an attempt: a v1 task's first queueing, or an interrupted task back in the queue. */
export const TaskQueued = z.object({
  type: z.literal("task.queued"),
  data: QueuedData,
});

export const TaskStarted = z.object({
  type: z.literal("task.started"),
  data: z.object({
    attempt: z.number().int().positive(),
    worker_id: z.string(),
    executor: z.string(),
    model: z.string(),
    /** The exact prompt's key when it differs from task.created's inline prompt. */
    prompt_ref: ObjectRef.optional(),
    /** That prompt itself when it was small (then nothing is stored under prompt_ref); absent on events written before. */
    prompt_inline: InlineOutput.optional(),
    /** A redelivered task taken over from a worker that stopped answering. */
    reclaimed: z.boolean().default(false),
  }),
});

/**
 * Why a task waits for its model, and until when at the latest: held after the provider answered
 * 429, at a limit (calls at once, requests or tokens per window), behind work of a better band, at
 * the edge of the model's day budget (one call in flight past it at most), or the day budget spent.
 */
export const TaskWaiting = z.object({
  model: z.string().min(1),
  why: z.enum(["held", "concurrency", "requests", "tokens", "priority", "budget", "day_budget_spent"]),
  until: z.iso.datetime(),
});
export type TaskWaiting = z.infer<typeof TaskWaiting>;

export const TaskProgress = z.object({
  type: z.literal("task.progress"),
  data: z.object({
    elapsed_ms: z.number().int().nonnegative(),
    turns: z.number().int().nonnegative().optional(),
    output_tokens: z.number().int().nonnegative().optional(),
    message: z.string().max(500).optional(),
    /** Set while the run waits for its model's limits, before its agent starts. */
    waiting: TaskWaiting.optional(),
  }),
});

/** Tokens and cost of one model a run used (the Claude CLI's modelUsage: a run may use several). */
export const ModelUsageEntry = z.object({
  model: z.string().max(200),
  ...UsageSchema.shape,
  cost_usd: z.number().nonnegative(),
});
export type ModelUsageEntry = z.infer<typeof ModelUsageEntry>;

/** A tool call the agent was refused (the Claude CLI's permission_denials). */
export const PermissionDenial = z.object({
  tool_name: z.string().max(200),
  tool_use_id: z.string().max(200),
  /** The start of the call's input, as JSON text (untrusted). */
  input: z.string().max(500),
});
export type PermissionDenial = z.infer<typeof PermissionDenial>;

/** A file the agent wrote in its task folder, kept in the object store. */
export const ArtifactEntry = z.object({
  /** Its path inside the task folder (`/`-separated). */
  name: z.string().min(1).max(512),
  ref: ObjectRef,
  bytes: z.number().int().nonnegative(),
});
export type ArtifactEntry = z.infer<typeof ArtifactEntry>;

const RunOutcome = {
  /** The output's key in the object store; nothing is stored under it when `output_inline` is set. */
  output_ref: ObjectRef,
  /** The output itself, when it was small (INLINE_OUTPUT_BYTES); absent on events written before. */
  output_inline: InlineOutput.optional(),
  output_bytes: z.number().int().nonnegative(),
  duration_ms: z.number().int().nonnegative(),
  model: z.string(),
  usage: UsageSchema,
  cost_usd: z.number().nonnegative(),
  /** True when the model has no price and its executor reported no cost: cost_usd is not known. */
  unpriced: z.boolean().optional(),
  /** Per model, when the run used several (cost_usd is their sum). */
  model_usage: z.array(ModelUsageEntry).max(50).optional(),
  session_id: z.string().optional(),
  num_turns: z.number().int().nonnegative().optional(),
  offline: z.boolean().default(false),
  /** The first few hundred characters, for summaries of earlier iterations. */
  excerpt: z.string().max(400).default(""),
  /** Tool calls the agent was refused (it ran on without them). */
  permission_denials: z.array(PermissionDenial).max(50).optional(),
  /** Files the agent wrote, kept as the task's artifacts. */
  artifacts: z.array(ArtifactEntry).max(1000).optional(),
  /** Files left out of `artifacts` (over the count or size bound, or not regular files). */
  artifacts_skipped: z.number().int().nonnegative().optional(),
  /** The answer was cut at the output limit (finish_reason "length"); a continuation goes on from it. */
  truncated: z.boolean().optional(),
};

export const TaskHandoffRequested = z.object({
  type: z.literal("task.handoff_requested"),
  data: z.object({ ...RunOutcome, remaining_work: z.string().max(20_000) }),
});

export const TaskCompleted = z.object({
  type: z.literal("task.completed"),
  data: z.object(RunOutcome),
});

export const TaskFailed = z.object({
  type: z.literal("task.failed"),
  data: z.object({
    attempt: z.number().int().positive(),
    reason: FailureReason,
    error: z.string().max(4000),
    duration_ms: z.number().int().nonnegative(),
    cost_usd: z.number().nonnegative().default(0),
    usage: UsageSchema.optional(),
    model: z.string().optional(),
    /** No retry on this model can succeed (auth, quota, a refused request): the next model of the chain, or the dead letter. */
    permanent: z.boolean().optional(),
  }),
});

export const ValidationFailed = z.object({
  type: z.literal("validation.failed"),
  data: z.object({
    attempt: z.number().int().positive(),
    output_ref: ObjectRef,
    output_inline: InlineOutput.optional(),
    failures: z
      .array(z.object({ type: z.string(), error: z.string(), suggestions: z.array(z.string()) }))
      .min(1),
    feedback: z.string().max(20_000),
    duration_ms: z.number().int().nonnegative(),
    cost_usd: z.number().nonnegative().default(0),
    usage: UsageSchema.optional(),
    model: z.string().optional(),
  }),
});

export const TaskRetryScheduled = z.object({
  type: z.literal("task.retry_scheduled"),
  data: z.object({
    attempt: z.number().int().positive(),
    delay_ms: z.number().int().nonnegative(),
    not_before: z.iso.datetime(),
    /** Text appended to the next prompt (validation feedback), if any. */
    feedback: z.string().max(20_000).optional(),
    /** Model for the next attempt (fallback chain). */
    model: z.string().optional(),
  }),
});

export const TaskDeadLettered = z.object({
  type: z.literal("task.dead_lettered"),
  data: z.object({ attempts: z.number().int().nonnegative(), last_error: z.string().max(4000) }),
});

export const TaskCancelRequested = z.object({
  type: z.literal("task.cancel_requested"),
  data: z.object({ reason: z.string().max(2000) }),
});

export const TaskCancelled = z.object({
  type: z.literal("task.cancelled"),
  data: z.object({ reason: z.string().max(2000) }),
});

export const TaskInterrupted = z.object({
  type: z.literal("task.interrupted"),
  data: z.object({
    reason: z.string().max(2000),
    worker_id: z.string(),
    /** Model for the next run: the next one in the fallback chain after a 429. */
    model: z.string().optional(),
    /** Why: a stop or shutdown, a rate limit, or a usage limit. */
    cause: z.enum(["stop", "shutdown", "rate_limit", "usage_limit"]).optional(),
    /** The task waits until then (a usage limit's reset), not using an attempt. */
    waiting_until: z.iso.datetime().optional(),
    /** The work message was acked: the orchestrator dispatches the task again (its next model runs on another executor's lanes). */
    redispatch: z.boolean().optional(),
    /** Back in the queue to wait for its model: after a 429 until the provider's retry-after, or until the day budget renews. */
    waiting: TaskWaiting.optional(),
  }),
});

/**
 * A dead-lettered task queued again because an operator asked for it (agents.control.retry): one
 * more attempt, on the task's current model, with the job re-opened first if it had completed.
 */
export const TaskRequeued = z.object({
  type: z.literal("task.requeued"),
  data: z.object({
    attempt: z.number().int().positive(),
    reason: z.string().max(2000),
  }),
});

export const TaskEvents = [
  TaskCreated,
  TaskQueued,
  TaskStarted,
  TaskProgress,
  TaskHandoffRequested,
  TaskCompleted,
  TaskFailed,
  ValidationFailed,
  TaskRetryScheduled,
  TaskDeadLettered,
  TaskCancelRequested,
  TaskCancelled,
  TaskInterrupted,
  TaskRequeued,
] as const;
