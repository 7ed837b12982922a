// The orchestrator's decisions: pure functions from (state, input, now) to commands.
import type { AgentEvent, EventData, Submission } from "../events/index.ts";
import { jobIdFor, specKey, taskIdFor } from "../ids.ts";
import { type TaskState, TaskStatus } from "../lifecycle/index.ts";
import { adviceFor, earlierSummaries } from "../protocol/advice.ts";
import { generatorPrompt } from "../protocol/prompts.ts";
import { maxIterationsFor, nextWave, submissionIssues, waveSizeFor } from "../submission/index.ts";
import type { Command, DecideContext, OrchestratorInput } from "./commands.ts";
import { decideControl } from "./decide-control.ts";
import { cancelTask, decideProgress, endIteration } from "./decide-job.ts";
import { afterCritique, afterRun, comparisons, endOfChain } from "./decide-run.ts";
import { isStopped, type JobState, type OrchestratorState, openIterations } from "./state.ts";
import { appendToJob, appendToTask, createTask, workItemFor } from "./tasks.ts";

/** Decide what follows one input; the state already includes the input's own effect. */
export function decide(state: OrchestratorState, input: OrchestratorInput, ctx: DecideContext): Command[] {
  switch (input.kind) {
    case "submit":
      return decideSubmit(state, input, ctx);
    case "control":
      return decideControl(state, input, ctx);
    case "event":
      return decideEvent(state, input.event, ctx);
    default: {
      const never: never = input;
      throw new Error(`unknown input ${JSON.stringify(never)}`);
    }
  }
}

function decideSubmit(
  state: OrchestratorState,
  input: Extract<OrchestratorInput, { kind: "submit" }>,
  ctx: DecideContext,
): Command[] {
  const jobId = jobIdFor(input.key);
  if (state.jobs.has(jobId)) return [];
  const causation = `submit-${input.seq}`;
  const reasons = input.parsed.ok ? submissionIssues(input.parsed.value, ctx.config) : input.parsed.issues;
  if (!input.parsed.ok || reasons.length > 0) {
    const cmd = appendToJob(
      jobId,
      "job.rejected",
      { reasons, excerpt: input.excerpt, submit_seq: input.seq },
      causation,
      ctx,
    );
    return [{ ...cmd, expectedSeq: 0 }];
  }
  // Catalogue v2: accepted, and its first wave planned, in the same event (see JobSubmitted).
  const submission = input.parsed.value;
  const accepted = acceptance(submission, ctx);
  const wave = firstWave(submission, accepted, isStopped(state));
  const data: EventData<"job.submitted"> = {
    submission,
    source: input.source,
    submit_seq: input.seq,
    accepted,
    ...(wave ? { wave } : {}),
  };
  return [{ ...appendToJob(jobId, "job.submitted", data, causation, ctx), expectedSeq: 0 }];
}

/**
 * The first wave, as decideProgress would plan it right after the acceptance: none while an
 * emergency stop is in force (system.resumed plans it) or when the budget is spent already (the job
 * completes on its job.submitted).
 */
function firstWave(
  s: Submission,
  accepted: EventData<"job.accepted">,
  stopped: boolean,
): EventData<"job.wave_planned"> | undefined {
  if (stopped || (s.budget_usd !== undefined && s.budget_usd <= 0)) return undefined;
  return { wave: 1, iterations: nextWave(0, accepted.wave_size, accepted.max_iterations) };
}

function decideEvent(state: OrchestratorState, event: AgentEvent, ctx: DecideContext): Command[] {
  const job = event.job_id ? state.jobs.get(event.job_id) : undefined;
  const task = event.task_id ? state.tasks.get(event.task_id) : undefined;
  switch (event.type) {
    case "job.submitted":
      if (!job) return [];
      // v1: job.accepted (and then job.wave_planned) follow; v2: it opened the job on its own.
      if (!event.data.accepted) return [accept(job, event, ctx)];
      return event.data.wave && job.status === "active"
        ? planGenerators(state, job, event.data.wave.iterations, event.id, ctx)
        : decideProgress(job, event.id, ctx, isStopped(state));
    case "job.accepted":
    case "job.iteration_ended":
    case "job.budget_exceeded":
      return job ? decideProgress(job, event.id, ctx, isStopped(state)) : [];
    case "job.wave_planned":
      return job && job.status === "active"
        ? planGenerators(state, job, event.data.iterations, event.id, ctx)
        : [];
    case "job.cancelled":
      if (!job) return [];
      return [
        ...[...job.task_ids].flatMap((id) => cancelTask(state.tasks.get(id), "job cancelled", event.id, ctx)),
        // Open iterations end too, so read models never show a cancelled job's iteration as running.
        ...openIterations(job).map((it) =>
          endIteration(job, it.n, "cancelled", event.id, ctx, undefined, "job cancelled"),
        ),
      ];
    case "critique.recorded":
      return job
        ? afterCritique(job, state.tasks.get(event.data.target_task_id), event.data, event.id, ctx)
        : [];
    case "task.created":
      if (!task) return [];
      if (job?.status === "cancelled") return cancelTask(task, "job cancelled", event.id, ctx);
      // v2: created queued, so dispatched now, as after a v1 task.queued (while it is still queued:
      // a task that moved on meanwhile has its work item already; a repeat is stored once anyway).
      if (event.data.queued)
        return task.status === TaskStatus.Queued && !isStopped(state)
          ? [{ kind: "dispatch", item: workItemFor(task, ctx.config.routes, event.data) }]
          : [];
      // v1 (a stream written before): queue it, only while still pending: a task.created handled
      // again after a restart must not requeue.
      return task.status === TaskStatus.Pending
        ? [appendToTask(task, "task.queued", queuedData(task), event.id, ctx)]
        : [];
    case "task.queued":
    case "task.retry_scheduled":
    case "task.requeued":
      return task && !isStopped(state)
        ? [{ kind: "dispatch", item: workItemFor(task, ctx.config.routes) }]
        : [];
    case "task.interrupted":
      // The worker acked the message because the task's next model runs on another executor's lanes.
      return task && event.data.redispatch && !isStopped(state)
        ? [{ kind: "dispatch", item: workItemFor(task, ctx.config.routes) }]
        : [];
    case "task.started":
      return task && job?.status === "cancelled" ? cancelTask(task, "job cancelled", event.id, ctx) : [];
    case "task.completed":
    case "task.handoff_requested":
    case "task.failed":
    case "validation.failed":
      return job && task
        ? orProgress(
            state,
            job,
            afterRun(job, task, event, ctx, comparisons(state, job, task)),
            event.id,
            ctx,
          )
        : [];
    case "task.dead_lettered":
    case "task.cancelled":
      return job && task ? orProgress(state, job, endOfChain(job, task, event, ctx), event.id, ctx) : [];
    case "system.resumed":
      return decideResume(state, event.id, ctx);
    default:
      return [];
  }
}

/**
 * After a resume: queued tasks, and interrupted ones waiting to be sent on to another executor's
 * lanes, are dispatched (nothing was while stopped), and every job that waited
 * for its next wave plans it, so an infinite job goes on where the stop paused it.
 */
function decideResume(state: OrchestratorState, cause: string, ctx: DecideContext): Command[] {
  const dispatches: Command[] = [...state.tasks.values()]
    .filter((t) => t.status === TaskStatus.Queued || (t.status === TaskStatus.Interrupted && t.redispatch))
    .map((t) => ({ kind: "dispatch", item: workItemFor(t, ctx.config.routes) }));
  const waves = [...state.jobs.values()].flatMap((j) => decideProgress(j, cause, ctx, false));
  return [...dispatches, ...waves];
}

/**
 * A task that ended without anything following it may have been the job's last live one (a critic
 * finishing after its critique ended the iteration): then the job moves on.
 */
function orProgress(
  state: OrchestratorState,
  job: JobState,
  next: Command[],
  cause: string,
  ctx: DecideContext,
): Command[] {
  return next.length > 0 ? next : decideProgress(job, cause, ctx, isStopped(state));
}

/** A v1 job.submitted's acceptance, as its own event. */
function accept(job: JobState, event: AgentEvent, ctx: DecideContext): Command {
  return appendToJob(job.job_id, "job.accepted", acceptance(job.submission, ctx), event.id, ctx);
}

/** The limits a submission runs under. */
function acceptance(s: Submission, ctx: DecideContext): EventData<"job.accepted"> {
  const infinite = s.count === "infinite";
  return {
    mode: infinite ? "infinite" : "fixed",
    wave_size: waveSizeFor(s.count),
    max_iterations: maxIterationsFor(s),
    max_attempts: s.max_attempts ?? ctx.config.maxAttempts,
    max_continuations: ctx.config.maxContinuations,
    max_revisions: ctx.config.maxRevisions,
    model: s.model ?? ctx.config.defaultModel,
  };
}

function queuedData(task: TaskState): EventData<"task.queued"> {
  const c = task.created;
  return { attempt: 1, queue: c.queue, band: c.band, priority: c.priority };
}

function planGenerators(
  state: OrchestratorState,
  job: JobState,
  iterations: number[],
  cause: string,
  ctx: DecideContext,
) {
  const advice = adviceFor(state.quality.get(specKey(job.submission.spec)) ?? []);
  return iterations
    .filter((n) => !state.tasks.has(taskIdFor(job.job_id, n, "generator", 0)))
    .map((n) => {
      const prompt = generatorPrompt({
        spec: job.submission.spec,
        iteration: n,
        count: job.submission.count,
        earlier: earlierSummaries(job.iterations.values(), n),
        advice,
      });
      return createTask(job, { type: "generator", iteration: n, ordinal: 0, prompt }, cause, ctx);
    });
}
