// A valid example of every event type, for tests that need realistic events.
import type {
  AgentEvent,
  AgentEventType,
  EventData,
  EventOf,
  Submission,
} from "../../../src/core/events/index.ts";
import { newEvent } from "../../../src/core/events/index.ts";

export const EXAMPLE_JOB_ID = "job-1";
export const EXAMPLE_TASK_ID = "task-1";
/** 2025-01-01T00:00:00.000Z: examples carry a fixed time so they compare equal across runs. */
export const EXAMPLE_NOW = Date.UTC(2025, 0, 1);

const usage = { input_tokens: 1200, output_tokens: 640 };

const runOutcome = {
  output_ref: "outputs/task-1/attempt-1.md",
  output_bytes: 3600,
  duration_ms: 42_000,
  model: "sonnet",
  usage,
  cost_usd: 0.012,
  session_id: "sess-1",
  num_turns: 3,
  offline: false,
  excerpt: "Most advice about remote work assumes...",
};

export const EXAMPLE_SUBMISSION: Submission = {
  spec: "Write a 600-word blog post about remote work with a unique angle and three takeaways.",
  count: 5,
  model: "sonnet",
  validation: [{ type: "length", params: { min_length: 500 } }],
  budget_usd: 2,
  idempotency_key: "blog-remote-work-1",
};

/** The data of one valid event per type. */
export const EXAMPLE_DATA: { [T in AgentEventType]: EventData<T> } = {
  "job.submitted": { submission: EXAMPLE_SUBMISSION, source: "nats", submit_seq: 1 },
  "job.accepted": {
    mode: "fixed",
    wave_size: 5,
    max_iterations: 5,
    max_attempts: 3,
    max_continuations: 3,
    max_revisions: 2,
    model: "sonnet",
  },
  "job.rejected": {
    reasons: [{ path: "count", message: "Too small: expected number to be >=1" }],
    excerpt: '{"spec":"x","count":0}',
    submit_seq: 2,
  },
  "job.wave_planned": { wave: 1, iterations: [1, 2, 3] },
  "job.iteration_ended": { iteration: 1, outcome: "passed", best_task_id: EXAMPLE_TASK_ID },
  "job.completed": {
    iterations_passed: 5,
    iterations_exhausted: 0,
    iterations_failed: 0,
    cost_usd: 0.31,
    reason: "all_done",
  },
  "job.cancelled": { reason: "cancelled by the user" },
  "job.budget_exceeded": { budget_usd: 2, spent_usd: 2.05 },
  "job.reopened": { iteration: 1, task_id: EXAMPLE_TASK_ID, reason: "retry requested", was_completed: true },
  "critique.recorded": {
    critic_task_id: "task-2",
    target_task_id: EXAMPLE_TASK_ID,
    target_type: "generator",
    iteration: 1,
    compliance: 9,
    uniqueness: 7,
    quality: 8,
    critique: "Clear structure: the takeaways are concrete.",
    model: "sonnet",
    passed: true,
  },
  "critique.unparseable": {
    critic_task_id: "task-2",
    target_task_id: EXAMPLE_TASK_ID,
    iteration: 1,
    reason: "no quality score",
    excerpt: "compliance: 9\nuniqueness: 7",
  },
  "task.created": {
    task_type: "generator",
    queue: "standard",
    iteration: 1,
    priority: 999,
    band: "normal",
    prompt: { inline: "Write a 600-word blog post about remote work." },
    attachments: [],
    model: "sonnet",
    fallback_models: [],
    max_attempts: 3,
    timeout_ms: 1_800_000,
    validation: [],
    round: 0,
  },
  "task.queued": { attempt: 1, queue: "standard", band: "normal", priority: 999 },
  "task.started": {
    attempt: 1,
    worker_id: "worker-a",
    executor: "claude",
    model: "sonnet",
    reclaimed: false,
  },
  "task.progress": { elapsed_ms: 10_000, turns: 1, output_tokens: 200, message: "writing" },
  "task.handoff_requested": { ...runOutcome, remaining_work: "Write the third takeaway and a conclusion." },
  "task.completed": runOutcome,
  "task.failed": {
    attempt: 1,
    reason: "timeout",
    error: "agent ran longer than 1800000 ms",
    duration_ms: 1_800_000,
    cost_usd: 0,
  },
  "validation.failed": {
    attempt: 1,
    output_ref: "outputs/task-1/attempt-1.md",
    failures: [{ type: "length", error: "too short: 120 < 500", suggestions: ["write at least 500 chars"] }],
    feedback: "The answer must be at least 500 characters long.",
    duration_ms: 30_000,
    cost_usd: 0.01,
  },
  "task.retry_scheduled": {
    attempt: 2,
    delay_ms: 2000,
    not_before: "2025-01-01T00:00:02.000Z",
  },
  "task.dead_lettered": { attempts: 3, last_error: "timeout: agent ran longer than 1800000 ms" },
  "task.cancel_requested": { reason: "job cancelled" },
  "task.cancelled": { reason: "job cancelled" },
  "task.interrupted": { reason: "emergency stop", worker_id: "worker-a" },
  "task.requeued": { attempt: 4, reason: "the provider is back" },
  "system.stopped": { reason: "runaway cost" },
  "system.resumed": { reason: "fixed" },
  "queue.paused": { queue: "heavy", reason: "provider outage" },
  "queue.resumed": { queue: "heavy" },
  "message.rejected": {
    subject: "agents.task.task-1",
    stream: "AGENTS",
    stream_seq: 7,
    consumer: "orchestrator",
    reason: "(root): not JSON: Unexpected token",
    excerpt: "not json",
  },
  "model.day_budget_spent": {
    model: "gpt-4o",
    day: "2026-12-01",
    by: "usd",
    usd: 5.01,
    tokens: 410_000,
    budget_usd: 5,
    until: "2026-12-02T00:00:00.000Z",
    worker_id: "worker-1",
  },
};

export type ExampleContext = {
  /** Event id; default `<type>-example`. */
  id?: string;
  task_id?: string;
  job_id?: string;
  now?: number;
};

/** A valid event of `type` with metadata; `data` fields may be overridden. */
export function exampleEvent<T extends AgentEventType>(
  type: T,
  data: Partial<EventData<T>> = {},
  ctx: ExampleContext = {},
): EventOf<T> {
  // TypeScript cannot resolve a mapped type indexed by a generic key to EventData<T>; the table's own
  // annotation already checks every entry against its type.
  const merged = { ...EXAMPLE_DATA[type], ...data } as unknown as EventData<T>;
  const event: AgentEvent = newEvent(type, merged, {
    id: ctx.id ?? `${type}-example`,
    job_id: ctx.job_id ?? EXAMPLE_JOB_ID,
    task_id:
      type.startsWith("task.") || type === "validation.failed"
        ? (ctx.task_id ?? EXAMPLE_TASK_ID)
        : ctx.task_id,
    now: ctx.now ?? EXAMPLE_NOW,
  });
  return event as EventOf<T>;
}
