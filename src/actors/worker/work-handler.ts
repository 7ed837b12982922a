// Handle one work message: claim the task (optimistic concurrency), run it, record how it ended.
import type { JsMsg } from "@nats-io/jetstream";
import { ConcurrencyError } from "../../core/errors.ts";
import { decodeWith, newEvent, STREAM_WORK, Subjects, WorkItem } from "../../core/events/index.ts";
import { TaskStatus } from "../../core/lifecycle/index.ts";
import { decideClaim } from "../../core/worker/claim.ts";
import { ArtifactKeys } from "../../nats/artifacts.ts";
import { rejectMessage } from "../../nats/index.ts";
import { loadTask } from "./load-task.ts";
import type { RunnerDeps, TaskHandle } from "./runner-types.ts";
import { createHandle } from "./task-handle.ts";
import { buildPrompt, runTask } from "./task-runner.ts";

export type WorkContext = {
  running: Map<string, TaskHandle>;
  ackWaitMs: number;
  progressEveryMs: number;
  isStopped(): boolean;
};

/** Claim and run the task a work message names; always leaves the message acked, nak'd or termed. */
export async function handleWork(deps: RunnerDeps, msg: JsMsg, ctx: WorkContext): Promise<void> {
  const parsed = decodeWith(WorkItem, msg.data);
  if (!parsed.ok) {
    const reason = parsed.issues.map((i) => `${i.path}: ${i.message}`).join("; ");
    await rejectMessage(
      msg,
      { stream: STREAM_WORK, consumer: "worker", publisher: deps.publisher, log: deps.log },
      reason,
    );
    return;
  }
  const item = parsed.value;
  const log = deps.log.child({ job_id: item.job_id, task_id: item.task_id });
  const js = deps.publisher.js;
  for (let tries = 0; tries < 5; tries++) {
    if (ctx.isStopped()) return msg.nak(1000);
    // The first try trusts the item (no read of the task); a ConcurrencyError sends us back here.
    const task = await loadTask(js, deps.jsm, item, tries === 0 && !msg.info.redelivered);
    const claim = decideClaim({
      item,
      status: task?.status ?? null,
      attempt: task?.attempt ?? 0,
      redelivered: msg.info.redelivered,
      now: Date.now(),
    });
    const meta = { job_id: item.job_id, task_id: item.task_id, correlation_id: item.job_id, now: Date.now() };
    try {
      switch (claim.kind) {
        case "drop":
          log.debug({ why: claim.why }, "work item dropped");
          return void (await msg.ackAck().catch(() => false));
        case "later":
          return msg.nak(claim.delayMs);
        case "cancel": {
          const e = newEvent("task.cancelled", { reason: "cancelled before start" }, meta);
          await deps.publisher.publish(Subjects.task(item.task_id), e, {
            expectedLastSubjectSequence: task?.seq ?? 0,
          });
          return void (await msg.ackAck().catch(() => false));
        }
        case "start": {
          if (!task) return;
          const attempt = Math.max(item.attempt, task.attempt, 1);
          const prompt = await buildPrompt(deps, task);
          // The exact prompt is recorded: as task.created's inline prompt when it is just that,
          // else stored and referenced from task.started.
          const base = task.created.prompt;
          const promptRef =
            "inline" in base && base.inline === prompt
              ? undefined
              : ArtifactKeys.prompt(task.task_id, attempt);
          if (promptRef) await deps.artifacts.putText(promptRef, prompt);
          const data = {
            attempt,
            worker_id: deps.workerId,
            executor: deps.executor.name,
            model: task.model,
            ...(promptRef ? { prompt_ref: promptRef } : {}),
            reclaimed: claim.reclaimed,
          };
          const ack = await deps.publisher.publish(
            Subjects.task(item.task_id),
            newEvent("task.started", data, meta),
            {
              expectedLastSubjectSequence: task.seq,
            },
          );
          const h = createHandle(
            deps,
            { ...task, status: TaskStatus.Running, seq: ack.seq, attempt },
            attempt,
          );
          log.info({ attempt, reclaimed: claim.reclaimed, type: task.created.task_type }, "task started");
          return await runClaimed(deps, h, msg, prompt, ctx);
        }
        default: {
          const never: never = claim;
          throw new Error(`unknown claim ${JSON.stringify(never)}`);
        }
      }
    } catch (err) {
      if (err instanceof ConcurrencyError) continue;
      throw err;
    }
  }
  msg.nak(500);
}

async function runClaimed(
  deps: RunnerDeps,
  h: TaskHandle,
  msg: JsMsg,
  prompt: string,
  ctx: WorkContext,
): Promise<void> {
  ctx.running.set(h.task.task_id, h);
  const started = Date.now();
  let lastProgress = started;
  const beat = setInterval(
    () => {
      msg.working();
      if (Date.now() - lastProgress < ctx.progressEveryMs) return;
      lastProgress = Date.now();
      const p = h.progress;
      const data = {
        elapsed_ms: Date.now() - started,
        ...(p?.turns !== undefined ? { turns: p.turns } : {}),
        ...(p?.output_tokens !== undefined ? { output_tokens: p.output_tokens } : {}),
        ...(p?.message ? { message: p.message.slice(0, 500) } : {}),
      };
      h.append(newEvent("task.progress", data, h.meta())).catch((err) =>
        deps.log.warn({ err: String(err), task_id: h.task.task_id }, "progress not recorded"),
      );
    },
    Math.max(Math.min(ctx.ackWaitMs / 3, ctx.progressEveryMs), 100),
  );
  try {
    const result = await runTask(deps, h, msg, prompt);
    if (result === "done") return void (await msg.ackAck().catch(() => false));
    if (h.stopReason === "lost") return;
    if (h.stopReason === "cancel") {
      await h.append(newEvent("task.cancelled", { reason: "cancelled while running" }, h.meta()));
      return void (await msg.ackAck().catch(() => false));
    }
    if (result === "rate_limited") {
      // Not a failed attempt: move along the fallback chain if there is a next model, else wait.
      const next = nextModel(h.task.created.model, h.task.created.fallback_models, h.task.model);
      const reason = `rate limited by the model provider${next ? `; falling back to ${next}` : ""}`;
      const data = { reason, worker_id: deps.workerId, ...(next ? { model: next } : {}) };
      await h.append(newEvent("task.interrupted", data, h.meta()));
      return msg.nak(next ? 0 : (h.rateLimitedMs ?? 1000));
    }
    const reason = `worker ${h.stopReason ?? "stopped"}`;
    await h.append(newEvent("task.interrupted", { reason, worker_id: deps.workerId }, h.meta()));
    msg.nak(1000);
  } finally {
    clearInterval(beat);
    // No append may outlive the task's handling: a stopping worker closes its connection next.
    await h.settled();
    ctx.running.delete(h.task.task_id);
  }
}

/** The model after `current` in the chain [primary, ...fallbacks], if any. */
export function nextModel(
  primary: string,
  fallbacks: readonly string[],
  current: string,
): string | undefined {
  const chain = [primary, ...fallbacks];
  const i = chain.indexOf(current);
  return i >= 0 ? chain[i + 1] : undefined;
}
