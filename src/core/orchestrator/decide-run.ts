// Decisions after a run or a critique: critic, continuation, revision, retry, dead letter, end.
import type { AgentEvent, Attachment, EventData } from "../events/index.ts";
import { taskIdFor } from "../ids.ts";
import { type TaskState, TaskStatus } from "../lifecycle/index.ts";
import { AttachmentLabel, compareLabel } from "../protocol/labels.ts";
import { continuationPrompt, criticPrompt, reviserPrompt } from "../protocol/prompts.ts";
import { nextModel } from "../providers/chain.ts";
import type { Command, DecideContext } from "./commands.ts";
import { endIteration, overBudget } from "./decide-job.ts";
import { COMPARED_ITERATIONS } from "./kept-outputs.ts";
import { retryDelayMs, unitFromId } from "./planning.ts";
import type { JobState, OrchestratorState } from "./state.ts";
import { appendToJob, appendToTask, createTask } from "./tasks.ts";

/** After a run ended (completed, handed off, failed): critic, continuation, retry or dead letter. */
export function afterRun(
  job: JobState,
  task: TaskState,
  event: AgentEvent,
  ctx: DecideContext,
  compare: Attachment[],
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
        outputAttachment(AttachmentLabel.Output, event.data),
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
        target_model: event.data.model,
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
      const attachments = [outputAttachment(AttachmentLabel.EarlierOutput, event.data)];
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
      // A permanent failure (auth, quota, a refused request) cannot pass on this model: only the
      // chain's next model gets another attempt; without one the task is dead-lettered at once.
      const permanent = event.type === "task.failed" && event.data.permanent === true;
      const next = permanent ? nextModel(c.model, c.fallback_models, task.model) : undefined;
      if (task.attempt < c.max_attempts && !spent && (!permanent || next))
        return [...out, retry(task, event, ctx, next)];
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

/** An output as an attachment: by its key, with its text when it travelled inline (no read needed). */
function outputAttachment(
  label: string,
  o: { output_ref: string; output_inline?: string | undefined },
): Attachment {
  return {
    label,
    ref: o.output_ref,
    ...(o.output_inline !== undefined ? { inline: o.output_inline } : {}),
  };
}

/** Up to COMPARED_ITERATIONS earlier iterations' latest outputs, attached to a critic task for the uniqueness check. */
export function comparisons(state: OrchestratorState, job: JobState, task: TaskState) {
  const n = task.created.iteration;
  return [...job.iterations.values()]
    .filter((it) => it.n < n && it.latest_task_id)
    .slice(-COMPARED_ITERATIONS)
    .flatMap((it) => {
      const t = state.tasks.get(it.latest_task_id as string);
      const ref = t?.output_ref;
      return ref
        ? [outputAttachment(compareLabel(it.n), { output_ref: ref, output_inline: t.output_inline })]
        : [];
    });
}

/** The next attempt, after a backoff, on `model` (default: the chain's model for that attempt). */
function retry(task: TaskState, event: AgentEvent, ctx: DecideContext, next?: string): Command {
  const attempt = task.attempt + 1;
  const delay = retryDelayMs(
    task.attempt,
    ctx.config.retryBaseMs,
    unitFromId(`${task.task_id}:${task.attempt}`),
  );
  const chain = [task.created.model, ...task.created.fallback_models];
  const model = next ?? chain[Math.min(attempt - 1, chain.length - 1)] ?? task.model;
  const data: EventData<"task.retry_scheduled"> = {
    attempt,
    delay_ms: delay,
    not_before: new Date(ctx.now + delay).toISOString(),
    model,
    ...(event.type === "validation.failed" ? { feedback: event.data.feedback } : {}),
  };
  return appendToTask(task, "task.retry_scheduled", data, event.id, ctx);
}

export function afterCritique(
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
    attachments: [
      outputAttachment(AttachmentLabel.OutputToRevise, {
        output_ref: target.output_ref,
        output_inline: target.output_inline,
      }),
    ],
    parent_task_id: d.critic_task_id,
    root_task_id: taskIdFor(job.job_id, it.n, "generator", 0),
  };
  return [createTask(job, t, cause, ctx)];
}

export function endOfChain(job: JobState, task: TaskState, event: AgentEvent, ctx: DecideContext): Command[] {
  const it = job.iterations.get(task.created.iteration);
  if (job.status !== "active" || !it || it.status !== "running") return [];
  if (event.type === "task.cancelled")
    return [endIteration(job, it.n, "cancelled", event.id, ctx, undefined, event.data.reason)];
  return [endIteration(job, it.n, "failed", event.id, ctx, undefined, task.last_error)];
}
