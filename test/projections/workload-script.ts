// Building blocks of the test workload: a lane of steps per job or iteration, and a task whose
// every event is checked against the lifecycle (nextStatus throws on an illegal move).
import type {
  AgentEvent,
  AgentEventType,
  Band,
  EventData,
  FailureReason,
  QueueName,
  TaskType,
} from "../../src/core/events/index.ts";
import { newEvent, Subjects } from "../../src/core/events/index.ts";
import { nextStatus, type TaskEventType, type TaskStatus } from "../../src/core/lifecycle/index.ts";

export type Step =
  | { kind: "event"; subject: string; type: AgentEventType; data: unknown; job_id?: string; task_id?: string }
  | { kind: "json"; subject: string; payload: unknown }
  | { kind: "garbage"; subject: string; text: string };

export type WorkloadMessage =
  | { kind: "event"; subject: string; event: AgentEvent }
  | { kind: "json"; subject: string; payload: unknown; id: string }
  | { kind: "garbage"; subject: string; text: string; id: string };

const BASE_TIME = Date.UTC(2025, 0, 1);

/** The n-th message of a workload: events get id `<prefix>e<n>` and a time 250 ms after the previous. */
export function buildMessage(s: Step, n: number, prefix: string): WorkloadMessage {
  const id = `${prefix}e${n}`;
  if (s.kind !== "event") return { ...s, id };
  const ctx = { id, now: BASE_TIME + n * 250, job_id: s.job_id, task_id: s.task_id };
  return { kind: "event", subject: s.subject, event: newEvent(s.type, s.data as never, ctx) };
}

/** A deterministic PRNG (mulberry32): the same seed gives the same workload. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const MODELS = ["claude-sonnet-4", "openai/gpt-4o-mini", "max/opus"] as const;
const USAGE = { input_tokens: 1200, output_tokens: 800 };

/** An ordered list of steps (one job's or one iteration's). */
export class Lane {
  readonly steps: Step[] = [];
  constructor(readonly jobId: string) {}

  /** A job event on `agents.job.<jobId>`. */
  job<T extends AgentEventType>(type: T, data: EventData<T>): void {
    this.steps.push({ kind: "event", subject: Subjects.job(this.jobId), type, data, job_id: this.jobId });
  }

  /** A task of this job, created at once. */
  task(o: TaskSpec): TaskRun {
    return new TaskRun(this, o);
  }
}

export type TaskSpec = {
  id: string;
  type: TaskType;
  queue: QueueName;
  iteration: number;
  round?: number;
  model: string;
  parent?: string;
  target?: string;
};

/** One task's events, emitted in lifecycle order. */
export class TaskRun {
  status: TaskStatus | null = null;
  attempt = 0;
  private readonly band: Band;
  private readonly priority: number;

  constructor(
    /** Where the next events go (moved to a job's closing lane when it is cancelled). */
    public lane: Lane,
    readonly spec: TaskSpec,
  ) {
    this.priority = 1000 - spec.iteration + (spec.type === "generator" ? 0 : 500);
    this.band = spec.type === "generator" ? "normal" : "high";
    const d = {
      task_type: spec.type,
      queue: spec.queue,
      iteration: spec.iteration,
      priority: this.priority,
      band: this.band,
      prompt: { inline: `prompt for ${spec.id}` },
      attachments: [],
      model: spec.model,
      fallback_models: [],
      max_attempts: 3,
      timeout_ms: 60_000,
      validation: [],
      round: spec.round ?? 0,
      ...(spec.parent ? { parent_task_id: spec.parent } : {}),
      ...(spec.target ? { target_task_id: spec.target } : {}),
    };
    this.emit("task.created", d);
  }

  /** Append a task event; throws when the lifecycle does not allow it in the current status. */
  emit<T extends TaskEventType>(type: T, data: EventData<T>): void {
    this.status = nextStatus(this.status, type, this.spec.id);
    const { jobId } = this.lane;
    const subject = Subjects.task(this.spec.id);
    this.lane.steps.push({ kind: "event", subject, type, data, job_id: jobId, task_id: this.spec.id });
  }

  /** Put the task in its queue (first attempt, or back after an interruption). */
  queue(): void {
    const attempt = Math.max(this.attempt, 1);
    this.emit("task.queued", { attempt, queue: this.spec.queue, band: this.band, priority: this.priority });
  }

  /** A worker starts the current attempt and reports progress once. */
  start(worker: string, reclaimed = false): void {
    this.attempt = Math.max(this.attempt, 1);
    const d = {
      attempt: this.attempt,
      worker_id: worker,
      executor: "claude",
      model: this.spec.model,
      reclaimed,
    };
    this.emit("task.started", d);
    this.emit("task.progress", { elapsed_ms: 1500, turns: 2, output_tokens: 300 });
  }

  /** A failed run followed by a scheduled retry (the next attempt). */
  failAndRetry(reason: FailureReason = "timeout"): void {
    const run = {
      attempt: this.attempt,
      duration_ms: 2000,
      cost_usd: 0.01,
      usage: USAGE,
      model: this.spec.model,
    };
    this.emit("task.failed", { ...run, reason, error: `${reason} after 2000 ms` });
    this.attempt += 1;
    const notBefore = "2030-01-01T00:00:00.000Z";
    this.emit("task.retry_scheduled", { attempt: this.attempt, delay_ms: 1000, not_before: notBefore });
  }

  /** The output failed validation; a retry is scheduled with feedback. */
  failValidation(): void {
    const failures = [{ type: "length", error: "too short", suggestions: ["write more"] }];
    const d = { attempt: this.attempt, output_ref: `out/${this.spec.id}/${this.attempt}`, failures };
    this.emit("validation.failed", { ...d, feedback: "too short", duration_ms: 900, cost_usd: 0.02 });
    this.attempt += 1;
    const notBefore = "2030-01-01T00:00:00.000Z";
    this.emit("task.retry_scheduled", { attempt: this.attempt, delay_ms: 1000, not_before: notBefore });
  }

  /** Finish with an output (or a handoff request). */
  finish(kind: "task.completed" | "task.handoff_requested" = "task.completed"): void {
    const run = {
      output_ref: `out/${this.spec.id}/${this.attempt}`,
      output_bytes: 2048,
      duration_ms: 4000 + this.attempt,
      model: this.spec.model,
      usage: USAGE,
      cost_usd: 0.05,
      session_id: `s-${this.spec.id}`,
      offline: false,
      excerpt: `output of ${this.spec.id}`,
    };
    if (kind === "task.completed") this.emit("task.completed", run);
    else this.emit("task.handoff_requested", { ...run, remaining_work: "finish the last section" });
  }

  /** Fail for good: the last attempt failed and the task is dead-lettered. */
  deadLetter(): void {
    const run = { attempt: this.attempt, duration_ms: 2000, cost_usd: 0.01, model: this.spec.model };
    this.emit("task.failed", { ...run, reason: "exit_code", error: "exit code 1" });
    this.emit("task.dead_lettered", { attempts: this.attempt, last_error: "exit_code: exit code 1" });
  }

  /** Cancel from whatever status the task is in (running tasks are asked first). */
  cancel(reason: string): void {
    if (this.status === "running") this.emit("task.cancel_requested", { reason });
    this.emit("task.cancelled", { reason });
  }
}
