// The orchestrator's decisions: pure functions from (state, input, now) to commands.
import type { AgentEvent, EventData } from "../../events/index.ts";
import { type TaskState, TaskStatus } from "../../lifecycle/index.ts";
import { COMPARE_LABEL } from "../critic/similarity.ts";
import { adviceFor, earlierSummaries } from "./advice.ts";
import type { Command, DecideContext, OrchestratorInput } from "./commands.ts";
import { decideControl } from "./decide-control.ts";
import { cancelTask, decideProgress, endIteration, overBudget } from "./decide-job.ts";
import {
  DEFAULT_INFINITE_MAX,
  jobIdFor,
  retryDelayMs,
  taskIdFor,
  unitFromId,
  waveSizeFor,
} from "./planning.ts";
import { continuationPrompt, criticPrompt, generatorPrompt, reviserPrompt } from "./prompts.ts";
import { type JobState, type OrchestratorState, openIterations, specKey } from "./state.ts";
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
  const reasons = input.parsed.ok
    ? unknownValidators(input.parsed.value.validation, ctx)
    : input.parsed.issues;
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
  const data = { submission: input.parsed.value, source: input.source, submit_seq: input.seq };
  return [{ ...appendToJob(jobId, "job.submitted", data, causation, ctx), expectedSeq: 0 }];
}

function unknownValidators(v: Array<{ type: string }> | undefined, ctx: DecideContext) {
  return (v ?? []).flatMap((spec, i) =>
    ctx.config.validatorNames.has(spec.type)
      ? []
      : [{ path: `validation.${i}.type`, message: `unknown validator "${spec.type}"` }],
  );
}

function decideEvent(state: OrchestratorState, event: AgentEvent, ctx: DecideContext): Command[] {
  const job = event.job_id ? state.jobs.get(event.job_id) : undefined;
  const task = event.task_id ? state.tasks.get(event.task_id) : undefined;
  switch (event.type) {
    case "job.submitted":
      return job ? [accept(job, event, ctx)] : [];
    case "job.accepted":
    case "job.iteration_ended":
    case "job.budget_exceeded":
      return job ? decideProgress(job, event.id, ctx) : [];
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
      // Only while still pending: a task.created handled again after a restart must not requeue.
      return task.status === TaskStatus.Pending
        ? [appendToTask(task, "task.queued", queuedData(task), event.id, ctx)]
        : [];
    case "task.queued":
    case "task.retry_scheduled":
      return task && !state.stopped ? [{ kind: "dispatch", item: workItemFor(task) }] : [];
    case "task.started":
      return task && job?.status === "cancelled" ? cancelTask(task, "job cancelled", event.id, ctx) : [];
    case "task.completed":
    case "task.handoff_requested":
    case "task.failed":
    case "validation.failed":
      return job && task ? afterRun(job, task, event, ctx, comparisons(state, job, task)) : [];
    case "task.dead_lettered":
    case "task.cancelled":
      return job && task ? endOfChain(job, task, event, ctx) : [];
    case "system.resumed":
      return [...state.tasks.values()]
        .filter((t) => t.status === TaskStatus.Queued)
        .map((t) => ({ kind: "dispatch", item: workItemFor(t) }) as Command);
    default:
      return [];
  }
}

function accept(job: JobState, event: AgentEvent, ctx: DecideContext): Command {
  const s = job.submission;
  const infinite = s.count === "infinite";
  const data: EventData<"job.accepted"> = {
    mode: infinite ? "infinite" : "fixed",
    wave_size: waveSizeFor(s.count),
    max_iterations: infinite
      ? (s.max_iterations ?? DEFAULT_INFINITE_MAX)
      : Math.min(s.count as number, s.max_iterations ?? Number.MAX_SAFE_INTEGER),
    max_attempts: s.max_attempts ?? ctx.config.maxAttempts,
    max_continuations: ctx.config.maxContinuations,
    max_revisions: ctx.config.maxRevisions,
    model: s.model ?? ctx.config.defaultModel,
  };
  return appendToJob(job.job_id, "job.accepted", data, event.id, ctx);
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
        earlier: earlierSummaries(job, n),
        advice,
      });
      return createTask(job, { type: "generator", iteration: n, ordinal: 0, prompt }, cause, ctx);
    });
}

/** After a run ended (completed, handed off, failed): critic, continuation, retry or dead letter. */
function afterRun(
  job: JobState,
  task: TaskState,
  event: AgentEvent,
  ctx: DecideContext,
  compare: Array<{ label: string; ref: string }>,
): Command[] {
  const out: Command[] = [];
  const spent = overBudget(job);
  if (spent && !job.budget_exceeded) {
    const data = { budget_usd: job.submission.budget_usd ?? 0, spent_usd: job.cost_usd };
    out.push(appendToJob(job.job_id, "job.budget_exceeded", data, event.id, ctx));
  }
  if (job.status !== "active") return out;
  const c = task.created;
  const it = job.iterations.get(c.iteration);
  if (it?.status !== "running") return out;
  const spec = job.submission.spec;
  const root = c.root_task_id ?? task.task_id;
  switch (event.type) {
    case "task.completed": {
      if (c.task_type === "critic") return out;
      if (spent)
        return [...out, endIteration(job, it.n, "exhausted", event.id, ctx, task.task_id, "budget spent")];
      const attachments = [
        { label: "OUTPUT", ref: event.data.output_ref },
        ...(event.data.offline ? [] : compare),
      ];
      const t = {
        type: "critic" as const,
        iteration: it.n,
        ordinal: it.critics + 1,
        prompt: criticPrompt(spec, it.n),
      };
      const extra = {
        attachments,
        parent_task_id: task.task_id,
        root_task_id: root,
        target_task_id: task.task_id,
        round: c.round,
      };
      return [...out, createTask(job, { ...t, ...extra }, event.id, ctx)];
    }
    case "task.handoff_requested": {
      if (spent || it.continuations >= job.max_continuations) {
        const why = spent ? "budget spent" : `handoff chain limit (${job.max_continuations}) reached`;
        return [...out, endIteration(job, it.n, "failed", event.id, ctx, undefined, why)];
      }
      const ordinal = it.continuations + 1;
      const prompt = continuationPrompt(spec, it.n, event.data.remaining_work);
      const attachments = [{ label: "EARLIER OUTPUT", ref: event.data.output_ref }];
      const t = {
        type: "continuation" as const,
        iteration: it.n,
        ordinal,
        prompt,
        attachments,
        round: ordinal,
      };
      return [
        ...out,
        createTask(job, { ...t, parent_task_id: task.task_id, root_task_id: root }, event.id, ctx),
      ];
    }
    case "task.failed":
    case "validation.failed": {
      if (task.status !== TaskStatus.Failed) return out;
      if (task.attempt < c.max_attempts && !spent) return [...out, retry(task, event, ctx)];
      const last = task.last_error ?? "failed";
      return [
        ...out,
        appendToTask(task, "task.dead_lettered", { attempts: task.attempt, last_error: last }, event.id, ctx),
      ];
    }
    default:
      return out;
  }
}

/** Up to three earlier iterations' latest outputs, attached to a critic task for the uniqueness check. */
function comparisons(state: OrchestratorState, job: JobState, task: TaskState) {
  const n = task.created.iteration;
  return [...job.iterations.values()]
    .filter((it) => it.n < n && it.latest_task_id)
    .slice(-3)
    .flatMap((it) => {
      const ref = state.tasks.get(it.latest_task_id as string)?.output_ref;
      return ref ? [{ label: `${COMPARE_LABEL} (iteration ${it.n})`, ref }] : [];
    });
}

function retry(task: TaskState, event: AgentEvent, ctx: DecideContext): Command {
  const attempt = task.attempt + 1;
  const delay = retryDelayMs(
    task.attempt,
    ctx.config.retryBaseMs,
    unitFromId(`${task.task_id}:${task.attempt}`),
  );
  const chain = [task.created.model, ...task.created.fallback_models];
  const model = chain[Math.min(attempt - 1, chain.length - 1)] ?? task.model;
  const data: EventData<"task.retry_scheduled"> = {
    attempt,
    delay_ms: delay,
    not_before: new Date(ctx.now + delay).toISOString(),
    model,
    ...(event.type === "validation.failed" ? { feedback: event.data.feedback } : {}),
  };
  return appendToTask(task, "task.retry_scheduled", data, event.id, ctx);
}

function afterCritique(
  job: JobState,
  target: TaskState | undefined,
  d: EventData<"critique.recorded">,
  cause: string,
  ctx: DecideContext,
) {
  const it = job.iterations.get(d.iteration);
  if (job.status !== "active" || !it || it.status !== "running") return [];
  if (d.passed) return [endIteration(job, it.n, "passed", cause, ctx, d.target_task_id)];
  if (it.revisions >= job.max_revisions || overBudget(job)) {
    const why = overBudget(job) ? "budget spent" : `revision limit (${job.max_revisions}) reached`;
    return [endIteration(job, it.n, "exhausted", cause, ctx, it.best?.task_id ?? d.target_task_id, why)];
  }
  const round = it.revisions + 1;
  if (!target?.output_ref)
    return [endIteration(job, it.n, "failed", cause, ctx, undefined, "reviewed output missing")];
  const t = {
    type: "reviser" as const,
    iteration: it.n,
    ordinal: round,
    round,
    prompt: reviserPrompt(job.submission.spec, it.n, d.critique, round),
    attachments: [{ label: "OUTPUT TO REVISE", ref: target.output_ref }],
    parent_task_id: d.critic_task_id,
    root_task_id: taskIdFor(job.job_id, it.n, "generator", 0),
  };
  return [createTask(job, t, cause, ctx)];
}

function endOfChain(job: JobState, task: TaskState, event: AgentEvent, ctx: DecideContext): Command[] {
  const it = job.iterations.get(task.created.iteration);
  if (job.status !== "active" || !it || it.status !== "running") return [];
  if (event.type === "task.cancelled")
    return [endIteration(job, it.n, "cancelled", event.id, ctx, undefined, event.data.reason)];
  return [endIteration(job, it.n, "failed", event.id, ctx, undefined, task.last_error)];
}
