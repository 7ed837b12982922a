// Response schemas of the routes the dashboard reads (jobs list, iterations, a task's story, the
// system state, time series). They import nothing but zod, so the browser bundle can share their
// types (`import type`) without pulling server code in.
import { z } from "zod";

const Usage = z.object({ input_tokens: z.number(), output_tokens: z.number() });
const when = z.string().describe("ISO time");
const maybeWhen = z.string().nullable().describe("ISO time, or null");

/** The projection checkpoint a response was read at: the SSE stream sequence it reflects. */
const Checkpoint = z.number().int().describe("last stream sequence applied to the projections");

export const JobSummary = z.object({
  job_id: z.string(),
  seq: z.number(),
  status: z.enum(["submitted", "running", "completed", "cancelled", "rejected"]),
  spec_excerpt: z.string().nullable().describe("the spec's first 300 characters (text, never HTML)"),
  spec_chars: z.number(),
  spec_key: z.string().nullable(),
  count: z.number().nullable().describe("iterations asked for; null when infinite"),
  infinite: z.boolean(),
  model: z.string().nullable(),
  budget_usd: z.number().nullable(),
  priority: z.number(),
  source: z.string().nullable(),
  max_iterations: z.number().nullable(),
  waves: z.number(),
  iterations_planned: z.number(),
  iterations: z.object({
    passed: z.number(),
    exhausted: z.number(),
    failed: z.number(),
    cancelled: z.number(),
  }),
  progress: z.record(z.string(), z.number()).describe("tasks per status"),
  tasks_total: z.number(),
  cost_usd: z.number(),
  usage: Usage,
  budget_exceeded: z.boolean(),
  quality: z.object({
    critiques: z.number(),
    compliance: z.number(),
    uniqueness: z.number(),
    quality: z.number(),
  }),
  reason: z.string().nullable(),
  created_at: when,
  accepted_at: maybeWhen,
  finished_at: maybeWhen,
  updated_at: when,
});
export type JobSummary = z.infer<typeof JobSummary>;

export const JobsPage = z.object({
  items: z.array(JobSummary),
  next_cursor: z.string().nullable().describe("pass as cursor for the next (older) page; null on the last"),
  checkpoint: Checkpoint,
});
export type JobsPage = z.infer<typeof JobsPage>;

export const TaskView = z.object({
  task_id: z.string(),
  job_id: z.string(),
  seq: z.number(),
  queue: z.string(),
  type: z.string(),
  status: z.string(),
  iteration: z.number(),
  round: z.number(),
  priority: z.number(),
  band: z.string(),
  attempts: z.number(),
  parent_task_id: z.string().nullable(),
  root_task_id: z.string().nullable(),
  target_task_id: z.string().nullable(),
  model: z.string(),
  worker_id: z.string().nullable(),
  executor: z.string().nullable(),
  session_id: z.string().nullable(),
  created_at: when,
  queued_at: maybeWhen,
  started_at: maybeWhen,
  finished_at: maybeWhen,
  updated_at: when,
  duration_ms: z.number().nullable(),
  usage: Usage,
  cost_usd: z.number(),
  output_ref: z.string().nullable(),
  output_bytes: z.number().nullable(),
  last_error: z.string().nullable(),
  cancel_reason: z.string().nullable(),
  events: z.number(),
  waiting: z
    .object({ model: z.string(), why: z.string(), until: when, since: when })
    .nullish()
    .describe(
      "what the task waits for, until when at the latest: its model's limits (held after a 429, concurrency, requests, tokens, priority, budget) or its spent day budget (day_budget_spent)",
    ),
});
export type TaskView = z.infer<typeof TaskView>;

export const CritiqueView = z.object({
  seq: z.number(),
  task_id: z.string().describe("the judged task"),
  critic_task_id: z.string(),
  task_type: z.string(),
  iteration: z.number(),
  model: z.string().describe("the critic's model"),
  target_model: z.string().nullable().describe("the model that wrote the judged output"),
  compliance: z.number(),
  uniqueness: z.number(),
  quality: z.number(),
  passed: z.boolean(),
  near_duplicate: z.boolean(),
  critique: z.string(),
  occurred_at: when,
});
export type CritiqueView = z.infer<typeof CritiqueView>;

export const IterationView = z.object({
  iteration: z.number(),
  outcome: z.enum(["passed", "exhausted", "failed", "cancelled"]).nullable().describe("null while open"),
  best_task_id: z.string().nullable(),
  tasks: z.array(TaskView).describe("in dispatch order"),
  critiques: z.array(CritiqueView).describe("newest first"),
});
export type IterationView = z.infer<typeof IterationView>;

export const IterationsPage = z.object({
  job: JobSummary,
  iterations: z.array(IterationView).describe("newest (highest) iteration first"),
  next_cursor: z.string().nullable(),
  checkpoint: Checkpoint,
});
export type IterationsPage = z.infer<typeof IterationsPage>;

/** A text read from the outputs bucket, cut at a limit. */
export const TextBody = z.object({
  ref: z.string().nullable().describe("object key in the outputs bucket; null for inline text"),
  text: z.string().nullable().describe("null when the object is gone"),
  chars: z.number().describe("length of the whole text"),
  truncated: z.boolean(),
});
export type TextBody = z.infer<typeof TextBody>;

export const AttemptView = z.object({
  attempt: z.number(),
  started_at: when,
  worker_id: z.string(),
  executor: z.string(),
  model: z.string(),
  reclaimed: z.boolean(),
  prompt: TextBody.describe("the exact prompt this attempt's agent received"),
  outcome: z
    .enum(["running", "completed", "handed_off", "failed", "validation_failed", "interrupted", "cancelled"])
    .describe("how the attempt ended"),
  ended_at: maybeWhen,
  duration_ms: z.number().nullable(),
  cost_usd: z.number(),
  usage: Usage.nullable(),
  error: z.string().nullable(),
  output_ref: z.string().nullable(),
});
export type AttemptView = z.infer<typeof AttemptView>;

export const TimelineEntry = z.object({
  seq: z.number(),
  type: z.string(),
  at: when,
  data: z.record(z.string(), z.unknown()).describe("the event's data (task.created without its prompt)"),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const TaskStory = z.object({
  task: TaskView,
  job: JobSummary.nullable(),
  prompt: TextBody.describe("the prompt as the orchestrator created it (inline or by reference)"),
  attempts: z.array(AttemptView),
  output: TextBody.nullable().describe("the latest output (completed, handed off or failed validation)"),
  remaining_work: z.string().nullable().describe("what a handoff left for the continuation"),
  critiques: z.array(CritiqueView).describe("critiques judging this task, or written by it"),
  validation: z.object({
    specs: z.array(z.object({ type: z.string(), params: z.record(z.string(), z.unknown()).optional() })),
    results: z.array(
      z.object({
        attempt: z.number(),
        passed: z.boolean(),
        failures: z.array(
          z.object({ type: z.string(), error: z.string(), suggestions: z.array(z.string()) }),
        ),
        feedback: z.string().nullable(),
      }),
    ),
  }),
  progress: z.array(
    z.object({
      at: when,
      elapsed_ms: z.number(),
      turns: z.number().nullable(),
      output_tokens: z.number().nullable(),
      message: z.string().nullable(),
    }),
  ),
  files: z
    .array(
      z.object({
        name: z.string().describe("the file's path inside the task folder (agent text)"),
        bytes: z.number().int(),
        url: z.string().describe("where to download it (always an attachment, never rendered)"),
      }),
    )
    .describe("the files the task's agent wrote in its task folder, kept in the object store"),
  files_skipped: z.number().int().describe("files left out (over the bounds, or no regular file)"),
  permission_denials: z
    .array(z.object({ tool_name: z.string() }))
    .describe("tools the agent asked for and was refused"),
  artifacts: z.array(
    z.object({
      kind: z.enum(["attachment", "prompt", "output"]),
      label: z.string(),
      ref: z.string(),
      content: TextBody.nullable().describe("attachments only: their text"),
    }),
  ),
  timeline: z
    .array(TimelineEntry)
    .describe("every event on the task's subject, then its critiques, by sequence"),
  checkpoint: Checkpoint,
});
export type TaskStory = z.infer<typeof TaskStory>;

export const SystemView = z.object({
  stopped: z.boolean(),
  stop_reason: z.string().nullable(),
  stopped_since: maybeWhen,
  resumed_at: maybeWhen,
  resume_reason: z.string().nullable(),
  paused: z.array(z.object({ queue: z.string(), reason: z.string(), since: when })),
  checkpoint: Checkpoint,
});
export type SystemView = z.infer<typeof SystemView>;

const SeriesMeta = {
  checkpoint: Checkpoint,
  bucket: z.enum(["minute", "hour", "day"]),
  bucket_ms: z.number(),
  from: when,
  to: when,
  group: z.enum(["spec", "model"]),
};

export const QualitySeries = z.object({
  ...SeriesMeta,
  series: z.array(
    z.object({
      key: z.string().describe("spec key or model"),
      label: z.string().describe("spec excerpt or model (text)"),
      points: z.array(
        z.object({
          t: z.number().describe("bucket start, ms since the epoch"),
          count: z.number(),
          compliance: z.number().describe("average"),
          uniqueness: z.number(),
          quality: z.number(),
        }),
      ),
    }),
  ),
});
export type QualitySeries = z.infer<typeof QualitySeries>;

export const CostSeries = z.object({
  ...SeriesMeta,
  series: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      points: z.array(
        z.object({
          t: z.number(),
          runs: z.number(),
          cost_usd: z.number(),
          input_tokens: z.number(),
          output_tokens: z.number(),
        }),
      ),
    }),
  ),
});
export type CostSeries = z.infer<typeof CostSeries>;
