// Read model of one job (collection jobs): spec, count, status, task counts per status, iterations,
// cost against budget, quality averages and the best task of each ended iteration. Serves getJob.
import type { AgentEvent, EventData, EventOf } from "../../core/events/index.ts";
import { specKey } from "../../core/ids.ts";
import { TaskStatus } from "../../core/lifecycle/index.ts";
import type { FoldContext } from "../context.ts";
import { addUsage, NO_USAGE, runCost } from "../usage.ts";
import type { JobDoc, QualityAverages } from "./doc.ts";

export type { IterationEnd, IterationOutcome, JobDoc, JobStatus, QualityAverages } from "./doc.ts";

const zeroProgress = (): Record<TaskStatus, number> =>
  Object.fromEntries(Object.values(TaskStatus).map((s) => [s, 0])) as Record<TaskStatus, number>;

const NO_SCORES = { compliance: 0, uniqueness: 0, quality: 0 };
const NO_QUALITY: QualityAverages = { critiques: 0, ...NO_SCORES, sums: NO_SCORES };

/** An empty job document, for the first event seen of a job. */
export function emptyJob(jobId: string, at: string, seq: number): JobDoc {
  return {
    _key: jobId,
    seq,
    job_id: jobId,
    status: "submitted",
    spec: null,
    spec_key: null,
    count: null,
    infinite: false,
    model: null,
    budget_usd: null,
    priority: 0,
    source: null,
    max_iterations: null,
    waves: 0,
    iterations_planned: 0,
    iterations: { passed: 0, exhausted: 0, failed: 0, cancelled: 0 },
    best_tasks: [],
    progress: zeroProgress(),
    tasks_total: 0,
    cost_usd: 0,
    usage: NO_USAGE,
    budget_exceeded: false,
    quality: NO_QUALITY,
    reason: null,
    created_at: at,
    accepted_at: null,
    finished_at: null,
    updated_at: at,
  };
}

/** Fold one job event, critique or task change (ctx.task) into the job's document. */
export function evolveJobProgress(doc: JobDoc | null, event: AgentEvent, ctx: FoldContext): JobDoc | null {
  const jobId = doc?.job_id ?? event.job_id ?? ctx.task?.after?.job_id;
  if (!jobId) return doc;
  const at = event.occurred_at;
  const prev = doc ?? emptyJob(jobId, at, ctx.seq);
  const own = jobPatch(prev, event);
  if (!own && !ctx.task) return doc;
  // One copy per event: bookkeeping, the task change, and the event's own fields.
  const moved = ctx.task ? taskChange(prev, event, ctx.task) : null;
  return { ...prev, seq: ctx.seq, updated_at: at, ...moved, ...own };
}

// The fields a job event sets (null: the event does not concern the job document).
function jobPatch(j: JobDoc, event: AgentEvent): Partial<JobDoc> | null {
  const at = event.occurred_at;
  switch (event.type) {
    case "job.submitted": {
      const s = event.data.submission;
      return {
        spec: s.spec,
        spec_key: specKey(s.spec),
        count: s.count === "infinite" ? null : s.count,
        infinite: s.count === "infinite",
        model: s.model ?? j.model,
        budget_usd: s.budget_usd ?? null,
        priority: s.priority ?? 0,
        source: event.data.source,
        max_iterations: s.max_iterations ?? j.max_iterations,
        // v2: accepted, and its first wave planned, on the same event.
        ...(event.data.accepted ? accepted(event.data.accepted, at) : {}),
        ...(event.data.wave ? wavePlanned(j, event.data.wave) : {}),
      };
    }
    case "job.accepted":
      return accepted(event.data, at);
    case "job.rejected": {
      const reason = event.data.reasons.map((r) => `${r.path}: ${r.message}`).join("; ");
      return { status: "rejected", reason, finished_at: at };
    }
    case "job.wave_planned":
      return wavePlanned(j, event.data);
    case "job.iteration_ended":
      return iterationEnd(j, event.data);
    case "job.completed":
      return { status: "completed", reason: event.data.reason, finished_at: at };
    case "job.cancelled":
      return { status: "cancelled", reason: event.data.reason, finished_at: at };
    case "job.budget_exceeded":
      return { budget_exceeded: true };
    case "job.reopened":
      return reopened(j, event.data.iteration, at);
    case "critique.recorded":
      return { quality: withScores(j.quality, event.data) };
    default:
      return null;
  }
}

// Status counts move with the task; cost and tokens add up per run.
function taskChange(j: JobDoc, event: AgentEvent, task: NonNullable<FoldContext["task"]>): Partial<JobDoc> {
  const progress = { ...j.progress };
  if (task.before) progress[task.before.status] -= 1;
  if (task.after) progress[task.after.status] += 1;
  const created = task.before === null && task.after !== null ? 1 : 0;
  const run = runCost(event);
  return {
    progress,
    tasks_total: j.tasks_total + created,
    cost_usd: j.cost_usd + run.cost_usd,
    usage: addUsage(j.usage, run.usage),
  };
}

function accepted(d: EventData<"job.accepted">, at: string): Partial<JobDoc> {
  return { status: "running", model: d.model, max_iterations: d.max_iterations, accepted_at: at };
}

function wavePlanned(j: JobDoc, d: EventData<"job.wave_planned">): Partial<JobDoc> {
  return {
    waves: Math.max(j.waves, d.wave),
    iterations_planned: Math.max(j.iterations_planned, ...d.iterations),
  };
}

function iterationEnd(j: JobDoc, d: EventOf<"job.iteration_ended">["data"]): Partial<JobDoc> {
  const entry = { iteration: d.iteration, outcome: d.outcome, best_task_id: d.best_task_id ?? null };
  const best_tasks = [...j.best_tasks.filter((b) => b.iteration !== d.iteration), entry].sort(
    (a, b) => a.iteration - b.iteration,
  );
  const iterations = { passed: 0, exhausted: 0, failed: 0, cancelled: 0 };
  for (const b of best_tasks) iterations[b.outcome] += 1;
  return { best_tasks, iterations };
}

// A retry re-opened an iteration (and the job, if it had completed): the iteration is open again.
function reopened(j: JobDoc, iteration: number, at: string): Partial<JobDoc> {
  const best_tasks = j.best_tasks.filter((b) => b.iteration !== iteration);
  const iterations = { passed: 0, exhausted: 0, failed: 0, cancelled: 0 };
  for (const b of best_tasks) iterations[b.outcome] += 1;
  const open =
    j.status === "completed" ? { status: "running" as const, reason: null, finished_at: null } : {};
  return { best_tasks, iterations, updated_at: at, ...open };
}

function withScores(q: QualityAverages, d: EventOf<"critique.recorded">["data"]): QualityAverages {
  const n = q.critiques + 1;
  const sums = {
    compliance: q.sums.compliance + d.compliance,
    uniqueness: q.sums.uniqueness + d.uniqueness,
    quality: q.sums.quality + d.quality,
  };
  return {
    critiques: n,
    compliance: sums.compliance / n,
    uniqueness: sums.uniqueness / n,
    quality: sums.quality / n,
    sums,
  };
}
