// Events on `agents.job.<jobId>`: a job's life and its critiques.
import { z } from "zod";
import { Id, TaskType } from "./shared.ts";
import { Submission } from "./submission.ts";

const FieldIssue = z.object({ path: z.string(), message: z.string() });

/** The limits a job runs under, fixed when it is accepted: job.accepted's data, and (v2) job.submitted's `accepted`. */
export const AcceptedData = z.object({
  mode: z.enum(["fixed", "infinite"]),
  wave_size: z.number().int().positive(),
  max_iterations: z.number().int().positive(),
  max_attempts: z.number().int().positive(),
  max_continuations: z.number().int().nonnegative(),
  max_revisions: z.number().int().nonnegative(),
  model: z.string().min(1),
});
export type AcceptedData = z.infer<typeof AcceptedData>;

/** A wave of iterations planned: job.wave_planned's data, and (v2) job.submitted's `wave` (the first). */
export const WaveData = z.object({
  wave: z.number().int().positive(),
  iterations: z.array(z.number().int().positive()).min(1),
});
export type WaveData = z.infer<typeof WaveData>;

/**
 * The first event on a job's subject. Catalogue v2: the orchestrator decides the acceptance and the
 * first wave on the submission itself, so they ride on this event (`accepted`, `wave`) instead of a
 * job.accepted and a job.wave_planned after it. It stays job.submitted rather than a new type
 * because everything keys on it: the job subject starts with it (appended expecting sequence 0,
 * which is what stops a second job with the same id), and every reader opens the job on it. Absent
 * (v1): job.accepted and job.wave_planned follow. `wave` comes only with `accepted`, and is absent
 * too when no wave could be planned then (an emergency stop in force): a job.wave_planned follows.
 */
export const JobSubmitted = z.object({
  type: z.literal("job.submitted"),
  data: z.object({
    submission: Submission,
    source: z.enum(["gateway", "nats", "cli"]),
    submit_seq: z.number().int().nonnegative(),
    accepted: AcceptedData.optional(),
    wave: WaveData.optional(),
  }),
});

export const JobAccepted = z.object({
  type: z.literal("job.accepted"),
  data: AcceptedData,
});

export const JobRejected = z.object({
  type: z.literal("job.rejected"),
  data: z.object({
    reasons: z.array(FieldIssue).min(1),
    excerpt: z.string().max(2000),
    submit_seq: z.number().int().nonnegative(),
  }),
});

export const JobWavePlanned = z.object({
  type: z.literal("job.wave_planned"),
  data: WaveData,
});

/** An iteration's chain ended: passed the critic, ran out of revisions, failed, or was cancelled. */
export const JobIterationEnded = z.object({
  type: z.literal("job.iteration_ended"),
  data: z.object({
    iteration: z.number().int().positive(),
    outcome: z.enum(["passed", "exhausted", "failed", "cancelled"]),
    /** The version to use: the passing one, or the best-scored when revisions ran out. */
    best_task_id: Id.optional(),
    reason: z.string().max(2000).optional(),
  }),
});

export const JobCompleted = z.object({
  type: z.literal("job.completed"),
  data: z.object({
    iterations_passed: z.number().int().nonnegative(),
    /** Ran out of revisions or budget: ended with its best version, which did not pass. */
    iterations_exhausted: z.number().int().nonnegative().default(0),
    /** Dead-lettered, handoff chain exhausted, or cancelled: no usable version. */
    iterations_failed: z.number().int().nonnegative(),
    cost_usd: z.number().nonnegative(),
    reason: z.enum(["all_done", "budget", "max_iterations", "stopped"]),
  }),
});

export const JobCancelled = z.object({
  type: z.literal("job.cancelled"),
  data: z.object({ reason: z.string().max(2000) }),
});

export const JobBudgetExceeded = z.object({
  type: z.literal("job.budget_exceeded"),
  data: z.object({ budget_usd: z.number().nonnegative(), spent_usd: z.number().nonnegative() }),
});

const Scores = {
  compliance: z.number().int().min(1).max(10),
  uniqueness: z.number().int().min(1).max(10),
  quality: z.number().int().min(1).max(10),
};

export const CritiqueRecorded = z.object({
  type: z.literal("critique.recorded"),
  data: z.object({
    critic_task_id: Id,
    target_task_id: Id,
    target_type: TaskType,
    iteration: z.number().int().positive(),
    ...Scores,
    critique: z.string().max(20_000),
    model: z.string(),
    passed: z.boolean(),
    near_duplicate: z.boolean().optional(),
  }),
});

export const CritiqueUnparseable = z.object({
  type: z.literal("critique.unparseable"),
  data: z.object({
    critic_task_id: Id,
    target_task_id: Id,
    iteration: z.number().int().positive(),
    reason: z.string(),
    excerpt: z.string().max(2000),
  }),
});

/**
 * A retried dead-lettered task re-opened its iteration (and the job, if it had completed): the job
 * completes again once the iteration ends again.
 */
export const JobReopened = z.object({
  type: z.literal("job.reopened"),
  data: z.object({
    iteration: z.number().int().positive(),
    task_id: Id,
    reason: z.string().max(2000),
    /** Whether the job had completed (and is running again now). */
    was_completed: z.boolean(),
  }),
});

export const JobEvents = [
  JobSubmitted,
  JobAccepted,
  JobRejected,
  JobWavePlanned,
  JobIterationEnded,
  JobCompleted,
  JobCancelled,
  JobBudgetExceeded,
  JobReopened,
  CritiqueRecorded,
  CritiqueUnparseable,
] as const;
