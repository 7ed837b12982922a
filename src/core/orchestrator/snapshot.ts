// The orchestrator's state as plain JSON and back, so a cold start can read a snapshot plus the tail
// of the stream instead of folding it from the start. The zod schema is the stored shape; the two
// functions are typed against OrchestratorState, so a field added to the state and not here (or the
// other way round) fails the typecheck, and STATE_SNAPSHOT_VERSION must be raised with the change.
import { z } from "zod";
import { SystemRecord } from "../control/system-state.ts";
import { JobCompleted } from "../events/catalogue/job-events.ts";
import { Submission } from "../events/catalogue/submission.ts";
import { TaskCreated } from "../events/catalogue/task-events.ts";
import type { TaskState } from "../lifecycle/index.ts";
import { TaskStatus } from "../lifecycle/index.ts";
import type { IterationState, JobState, OrchestratorState } from "./state.ts";

/**
 * The shape's version. Raise it whenever the state or the fold changes meaning (a new field, a
 * different evolve): a snapshot of another version is ignored and the state is folded from the stream.
 */
export const STATE_SNAPSHOT_VERSION = 4;

const seq = z.number().int().nonnegative();

const Iteration = z.object({
  n: z.number().int().positive(),
  status: z.enum(["running", "passed", "exhausted", "failed", "cancelled"]),
  continuations: z.number().int().nonnegative(),
  critics: z.number().int().nonnegative(),
  revisions: z.number().int().nonnegative(),
  latest_task_id: z.string().optional(),
  best: z.object({ task_id: z.string(), score: z.number() }).optional(),
  summary: z.string().optional(),
});

const Job = z.object({
  job_id: z.string(),
  submission: Submission,
  status: z.enum(["active", "completed", "cancelled"]),
  mode: z.enum(["fixed", "infinite"]),
  wave_size: z.number().int().nonnegative(),
  max_iterations: z.number().int().nonnegative(),
  max_attempts: z.number().int().nonnegative(),
  max_continuations: z.number().int().nonnegative(),
  max_revisions: z.number().int().nonnegative(),
  model: z.string(),
  completed_reason: JobCompleted.shape.data.shape.reason.optional(),
  waves: z.number().int().nonnegative(),
  planned: z.number().int().nonnegative(),
  iterations: z.array(Iteration),
  cost_usd: z.number(),
  budget_exceeded: z.boolean(),
  task_ids: z.array(z.string()),
  live_tasks: z.number().int(),
  updated_at: z.number(),
  seq: z.number().int().nonnegative(),
});

const Task = z.object({
  task_id: z.string(),
  job_id: z.string(),
  status: z.enum(Object.values(TaskStatus) as [TaskStatus, ...TaskStatus[]]),
  created: TaskCreated.shape.data,
  attempt: z.number().int().nonnegative(),
  model: z.string(),
  feedback: z.string().optional(),
  not_before: z.string().optional(),
  last_error: z.string().optional(),
  worker_id: z.string().optional(),
  output_ref: z.string().optional(),
  output_inline: z.string().optional(),
  cost_usd: z.number(),
  seq,
  created_seq: seq,
  redispatch: z.boolean(),
  updated_at: z.string(),
});

const Sample = z.object({
  compliance: z.number(),
  quality: z.number(),
  critique: z.string(),
  id: z.string().optional(),
});

/** The stored form of an OrchestratorState: maps as entry lists, sets as arrays. */
export const StateSnapshot = z.object({
  jobs: z.array(Job),
  quality: z.array(z.tuple([z.string(), z.array(Sample)])),
  tasks: z.array(Task),
  /** The emergency stop and paused queues, with their reasons and the sequences they were folded to. */
  system: SystemRecord,
});
export type StateSnapshot = z.infer<typeof StateSnapshot>;

/** The state as plain JSON (a deep copy: the snapshot shares nothing with the live state). */
export function encodeState(state: OrchestratorState): StateSnapshot {
  const body: StateSnapshot = {
    jobs: [...state.jobs.values()].map((j) => ({
      ...j,
      iterations: [...j.iterations.values()].map((i) => ({ ...i })),
      task_ids: [...j.task_ids],
    })),
    quality: [...state.quality.entries()].map(([k, list]) => [k, list.map((s) => ({ ...s }))]),
    tasks: [...state.tasks.values()],
    system: state.system,
  };
  return structuredClone(body);
}

/** The state a snapshot holds, or the reason it cannot be used (then the fold starts from the stream). */
export function decodeState(
  raw: unknown,
): { ok: true; state: OrchestratorState } | { ok: false; reason: string } {
  const parsed = StateSnapshot.safeParse(raw);
  if (!parsed.success)
    return {
      ok: false,
      reason: `not a state of version ${STATE_SNAPSHOT_VERSION}: ${parsed.error.issues[0]?.message ?? "invalid"}`,
    };
  const s = parsed.data;
  const jobs = new Map<string, JobState>();
  for (const j of s.jobs) {
    const iterations = new Map<number, IterationState>(
      j.iterations.map((i) => [
        i.n,
        { ...i, latest_task_id: i.latest_task_id, best: i.best, summary: i.summary },
      ]),
    );
    jobs.set(j.job_id, {
      ...j,
      completed_reason: j.completed_reason,
      iterations,
      task_ids: new Set(j.task_ids),
    });
  }
  const state: OrchestratorState = {
    jobs,
    quality: new Map(s.quality),
    tasks: new Map(s.tasks.map((t) => [t.task_id, taskOf(t)])),
    system: s.system,
  };
  return { ok: true, state };
}

// Every key of TaskState named, so a new field must be added here (and to the schema) to compile.
function taskOf(t: z.infer<typeof Task>): TaskState {
  return {
    ...t,
    feedback: t.feedback,
    not_before: t.not_before,
    last_error: t.last_error,
    worker_id: t.worker_id,
    output_ref: t.output_ref,
    output_inline: t.output_inline,
  };
}
