// The orchestrator's state: a fold of the event stream (jobs, iterations, tasks, stop flag).
import type { AgentEvent, QueueName, Submission } from "../events/index.ts";
import { specKey } from "../ids.ts";
import { evolveTask, isFinal, isTaskEventType, type TaskState } from "../lifecycle/index.ts";
import type { QualitySample } from "../protocol/advice.ts";

export type IterationStatus = "running" | "passed" | "exhausted" | "failed" | "cancelled";

export type IterationState = {
  n: number;
  status: IterationStatus;
  /** Counters for derived task ids per type. */
  continuations: number;
  critics: number;
  revisions: number;
  /** The newest content-producing task (generator, continuation, reviser). */
  latest_task_id: string | undefined;
  /** Best critiqued version so far. */
  best: { task_id: string; score: number } | undefined;
  /** One-line summary for later iterations' prompts. */
  summary: string | undefined;
};

export type JobState = {
  job_id: string;
  submission: Submission;
  status: "active" | "completed" | "cancelled";
  mode: "fixed" | "infinite";
  wave_size: number;
  max_iterations: number;
  max_attempts: number;
  max_continuations: number;
  max_revisions: number;
  model: string;
  /** An infinite job plans no more waves once the system was stopped. */
  halted_by_stop: boolean;
  waves: number;
  planned: number;
  iterations: Map<number, IterationState>;
  cost_usd: number;
  budget_exceeded: boolean;
  task_ids: Set<string>;
  /**
   * Tasks not in a final status. The job plans its next wave or completes only when none is left,
   * so a critic's own task.completed (and its cost) lands before the job moves on.
   */
  live_tasks: number;
};

export type OrchestratorState = {
  jobs: Map<string, JobState>;
  /** Recent critiques per spec (key: specKey), newest last, for prompt advice. */
  quality: Map<string, QualitySample[]>;
  tasks: Map<string, TaskState>;
  stopped: boolean;
  paused: Set<QueueName>;
};

/** An empty state. */
export function initialState(): OrchestratorState {
  return { jobs: new Map(), quality: new Map(), tasks: new Map(), stopped: false, paused: new Set() };
}

function newIteration(n: number): IterationState {
  return {
    n,
    status: "running",
    continuations: 0,
    critics: 0,
    revisions: 0,
    latest_task_id: undefined,
    best: undefined,
    summary: undefined,
  };
}

/** Apply one stored event to the state (mutates it in place; it is private to the orchestrator). */
export function evolve(state: OrchestratorState, event: AgentEvent, seq: number): void {
  if (isTaskEventType(event.type) && event.task_id) {
    const prev = state.tasks.get(event.task_id) ?? null;
    // Applied already: an input redelivered after a failed decision. A task's events are applied in
    // stream order (the orchestrator's own appends expect the task's last sequence), so this is exact.
    if (prev && seq <= prev.seq) return;
    const next = evolveTask(prev, event, seq);
    state.tasks.set(event.task_id, next);
    const job = state.jobs.get(next.job_id);
    if (!job) return;
    job.task_ids.add(event.task_id);
    job.live_tasks += Number(!isFinal(next.status)) - Number(prev !== null && !isFinal(prev.status));
    if (event.type === "task.created") trackCreated(job, event.task_id, event.data);
    if (event.type === "task.completed" || event.type === "task.handoff_requested") {
      const it = job.iterations.get(next.created.iteration);
      if (it && next.created.task_type !== "critic" && event.data.excerpt) it.summary = event.data.excerpt;
    }
    if ("cost_usd" in event.data && typeof event.data.cost_usd === "number")
      job.cost_usd += event.data.cost_usd;
    forgetIfDone(state, job);
    return;
  }
  const job = event.job_id ? state.jobs.get(event.job_id) : undefined;
  switch (event.type) {
    case "job.submitted":
      if (!event.job_id || state.jobs.has(event.job_id)) return;
      state.jobs.set(event.job_id, {
        job_id: event.job_id,
        submission: event.data.submission,
        status: "active",
        mode: event.data.submission.count === "infinite" ? "infinite" : "fixed",
        wave_size: 0,
        max_iterations: 0,
        max_attempts: 1,
        max_continuations: 0,
        max_revisions: 0,
        model: "",
        halted_by_stop: false,
        waves: 0,
        planned: 0,
        iterations: new Map(),
        cost_usd: 0,
        budget_exceeded: false,
        task_ids: new Set(),
        live_tasks: 0,
      });
      return;
    case "job.accepted":
      if (job) {
        const { mode: _m, ...limits } = event.data;
        Object.assign(job, limits);
      }
      return;
    case "job.iteration_ended": {
      const it = job?.iterations.get(event.data.iteration);
      if (it) it.status = event.data.outcome;
      return;
    }
    case "job.wave_planned":
      if (!job) return;
      job.waves = Math.max(job.waves, event.data.wave);
      for (const n of event.data.iterations) {
        if (!job.iterations.has(n)) job.iterations.set(n, newIteration(n));
        job.planned = Math.max(job.planned, n);
      }
      return;
    case "job.completed":
      if (job) job.status = "completed";
      if (job) forgetIfDone(state, job);
      return;
    case "job.cancelled":
      if (job) job.status = "cancelled";
      if (job) forgetIfDone(state, job);
      return;
    case "job.budget_exceeded":
      if (job) job.budget_exceeded = true;
      return;
    case "critique.recorded": {
      const it = job?.iterations.get(event.data.iteration);
      if (!it) return;
      const score = Math.min(event.data.quality, event.data.compliance);
      if (!it.best || score > it.best.score) it.best = { task_id: event.data.target_task_id, score };
      recordQuality(state, job as JobState, event.data, event.id);
      return;
    }
    case "system.stopped":
      state.stopped = true;
      for (const j of state.jobs.values())
        if (j.status === "active" && j.mode === "infinite") j.halted_by_stop = true;
      return;
    case "system.resumed":
      state.stopped = false;
      return;
    case "queue.paused":
      state.paused.add(event.data.queue);
      return;
    case "queue.resumed":
      state.paused.delete(event.data.queue);
      return;
    default:
      return;
  }
}

const QUALITY_WINDOW = 10;

/**
 * A job that ended and has no live task left is forgotten, with its tasks, so the orchestrator's
 * memory holds only work in progress: nothing more can happen to such a job (a new submission with
 * its id is refused by the stream, since job.submitted is only appended to an empty job subject).
 */
function forgetIfDone(state: OrchestratorState, job: JobState): void {
  if (job.status === "active" || job.live_tasks > 0) return;
  for (const id of job.task_ids) state.tasks.delete(id);
  state.jobs.delete(job.job_id);
}

/** Advice quotes at most 200 characters of a critique; keep a little more, never the whole text. */
const CRITIQUE_KEPT = 400;

function recordQuality(state: OrchestratorState, job: JobState, d: QualitySample, id: string): void {
  const key = specKey(job.submission.spec);
  const list = state.quality.get(key) ?? [];
  if (list.some((s) => s.id === id)) return;
  const critique = d.critique.slice(0, CRITIQUE_KEPT);
  list.push({ compliance: d.compliance, quality: d.quality, critique, id });
  if (list.length > QUALITY_WINDOW) list.splice(0, list.length - QUALITY_WINDOW);
  state.quality.set(key, list);
}

function trackCreated(job: JobState, taskId: string, data: TaskState["created"]): void {
  const it = job.iterations.get(data.iteration);
  if (!it) return;
  if (data.task_type === "continuation") it.continuations = Math.max(it.continuations, data.round);
  if (data.task_type === "critic") it.critics += 1;
  if (data.task_type === "reviser") it.revisions = Math.max(it.revisions, data.round);
  if (data.task_type !== "critic") it.latest_task_id = taskId;
}

/** Iterations of a job that have not ended. */
export function openIterations(job: JobState): IterationState[] {
  return [...job.iterations.values()].filter((i) => i.status === "running");
}
