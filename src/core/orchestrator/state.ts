// The orchestrator's state: a fold of the event stream (jobs, iterations, tasks, system state).
import { evolveSystem, initialSystem, type SystemRecord } from "../control/index.ts";
import type { AgentEvent, EventData, Submission } from "../events/index.ts";
import { specKey } from "../ids.ts";
import { evolveTask, isFinal, isTaskEventType, type TaskState } from "../lifecycle/index.ts";
import type { QualitySample } from "../protocol/advice.ts";
import { forgetComparedOutputs, forgetInlineOutput, withoutCreatedTexts } from "./kept-outputs.ts";

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
  /**
   * Set once the job completed: a job re-opened by a retry completes again when that iteration
   * ends, with its first reason, and plans no more waves.
   */
  completed_reason: EventData<"job.completed">["reason"] | undefined;
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
  /** When the last event of the job or one of its tasks happened (ms since epoch). */
  updated_at: number;
  /**
   * Stream sequence of the last event applied from the job's subject: what planning a wave or
   * completing the job expects the subject to end at, so the job ends once even when two decisions
   * (a takeover re-deciding what the last tenure decided) come from states that saw different events.
   */
  seq: number;
};

export type OrchestratorState = {
  jobs: Map<string, JobState>;
  /** Recent critiques per spec (key: specKey), newest last, for prompt advice. */
  quality: Map<string, QualitySample[]>;
  tasks: Map<string, TaskState>;
  /** Emergency stop and paused queues, as recorded (written to the agents-system bucket). */
  system: SystemRecord;
};

/** An empty state. */
export function initialState(): OrchestratorState {
  return { jobs: new Map(), quality: new Map(), tasks: new Map(), system: initialSystem() };
}

/** Whether an emergency stop is in force. */
export function isStopped(state: OrchestratorState): boolean {
  return state.system.stopped !== null;
}

export type EvolveOptions = {
  /** Keep a job that ended with no live task (restoring one for a retry); default false. */
  keep?: boolean;
};

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
export function evolve(
  state: OrchestratorState,
  event: AgentEvent,
  seq: number,
  o: EvolveOptions = {},
): void {
  const at = Date.parse(event.occurred_at);
  if (isTaskEventType(event.type) && event.task_id) {
    const prev = state.tasks.get(event.task_id) ?? null;
    // Applied already: an input redelivered after a failed decision. A task's events are applied in
    // stream order (the orchestrator's own appends expect the task's last sequence), so this is exact.
    if (prev && seq <= prev.seq) return;
    const evolved = evolveTask(prev, event, seq);
    const next = event.type === "task.created" ? withoutCreatedTexts(evolved) : evolved;
    state.tasks.set(event.task_id, next);
    const job = state.jobs.get(next.job_id);
    if (!job) return;
    job.task_ids.add(event.task_id);
    job.updated_at = Math.max(job.updated_at, at);
    job.live_tasks += Number(!isFinal(next.status)) - Number(prev !== null && !isFinal(prev.status));
    if (event.type === "task.created") trackCreated(state, job, event.task_id, event.data);
    if (event.type === "task.completed" || event.type === "task.handoff_requested") {
      const it = job.iterations.get(next.created.iteration);
      if (it && next.created.task_type !== "critic" && event.data.excerpt) it.summary = event.data.excerpt;
      // A critic's output is its critique, which critique.recorded carries: no decision attaches it.
      if (next.created.task_type === "critic") forgetInlineOutput(state.tasks, event.task_id);
    }
    if ("cost_usd" in event.data && typeof event.data.cost_usd === "number")
      job.cost_usd += event.data.cost_usd;
    if (!o.keep) forgetIfDone(state, job);
    return;
  }
  const job = event.job_id ? state.jobs.get(event.job_id) : undefined;
  if (job) job.updated_at = Math.max(job.updated_at, at);
  // Every job.* event is stored on the job's subject (critiques of streams written before too, and
  // noteSubjectSeq catches up on those).
  if (job && event.type.startsWith("job.")) job.seq = Math.max(job.seq, seq);
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
        completed_reason: undefined,
        waves: 0,
        planned: 0,
        iterations: new Map(),
        cost_usd: 0,
        budget_exceeded: false,
        task_ids: new Set(),
        live_tasks: 0,
        updated_at: at,
        seq,
      });
      // v2: accepted, with its first wave, on the same event.
      if (event.data.accepted) accept(state.jobs.get(event.job_id) as JobState, event.data.accepted);
      if (event.data.wave) planWave(state.jobs.get(event.job_id) as JobState, event.data.wave);
      return;
    case "job.accepted":
      if (job) accept(job, event.data);
      return;
    case "job.iteration_ended": {
      const it = job?.iterations.get(event.data.iteration);
      if (it) it.status = event.data.outcome;
      if (job) forgetComparedOutputs(state.tasks, job.iterations, event.data.iteration);
      return;
    }
    case "job.wave_planned":
      if (job) planWave(job, event.data);
      return;
    case "job.completed":
      if (!job) return;
      job.status = "completed";
      job.completed_reason ??= event.data.reason;
      if (!o.keep) forgetIfDone(state, job);
      return;
    case "job.cancelled":
      if (!job) return;
      job.status = "cancelled";
      if (!o.keep) forgetIfDone(state, job);
      return;
    case "job.reopened": {
      if (!job || job.status === "cancelled") return;
      job.status = "active";
      const it = job.iterations.get(event.data.iteration);
      if (it) it.status = "running";
      return;
    }
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
    case "system.resumed":
    case "queue.paused":
    case "queue.resumed":
      state.system = evolveSystem(state.system, event, seq);
      return;
    default:
      return;
  }
}

function accept(job: JobState, data: EventData<"job.accepted">): void {
  const { mode: _m, ...limits } = data;
  Object.assign(job, limits);
}

function planWave(job: JobState, data: EventData<"job.wave_planned">): void {
  job.waves = Math.max(job.waves, data.wave);
  for (const n of data.iterations) {
    if (!job.iterations.has(n)) job.iterations.set(n, newIteration(n));
    job.planned = Math.max(job.planned, n);
  }
}

const QUALITY_WINDOW = 10;

/**
 * A job that ended and has no live task left is forgotten, with its tasks, so the orchestrator's
 * memory holds only work in progress: nothing more can happen to such a job (a new submission with
 * its id is refused by the stream, since job.submitted is only appended to an empty job subject).
 */
export function forgetIfDone(state: OrchestratorState, job: JobState): void {
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

function trackCreated(
  state: OrchestratorState,
  job: JobState,
  taskId: string,
  data: TaskState["created"],
): void {
  const it = job.iterations.get(data.iteration);
  if (!it) return;
  if (data.task_type === "continuation") it.continuations = Math.max(it.continuations, data.round);
  if (data.task_type === "critic") it.critics += 1;
  if (data.task_type === "reviser") it.revisions = Math.max(it.revisions, data.round);
  if (data.task_type === "critic") return;
  // The output the new task follows on was attached to it when it was decided; no decision reads
  // the superseded one again (comparisons take an iteration's latest).
  if (it.latest_task_id !== taskId) forgetInlineOutput(state.tasks, it.latest_task_id);
  it.latest_task_id = taskId;
}

/** Iterations of a job that have not ended. */
export function openIterations(job: JobState): IterationState[] {
  return [...job.iterations.values()].filter((i) => i.status === "running");
}

/**
 * Bring back a job the state forgot (it had ended with no live task), from its stored events, so a
 * retry can re-open it. Nothing changes when the job is still known or no event names it.
 */
export function restoreJob(
  state: OrchestratorState,
  jobId: string,
  events: Iterable<{ event: AgentEvent; seq: number }>,
): void {
  if (state.jobs.has(jobId)) return;
  const found = initialState();
  for (const { event, seq } of events) if (event.job_id === jobId) evolve(found, event, seq, { keep: true });
  const job = found.jobs.get(jobId);
  if (!job) return;
  state.jobs.set(jobId, job);
  for (const id of job.task_ids) {
    const t = found.tasks.get(id);
    if (t) state.tasks.set(id, t);
  }
}

/** Forget a job again if it has ended with no live task (after a retry that was refused). */
export function tidyJob(state: OrchestratorState, jobId: string): void {
  const job = state.jobs.get(jobId);
  if (job) forgetIfDone(state, job);
}
