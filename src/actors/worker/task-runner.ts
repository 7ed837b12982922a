// Run one claimed task: prompt, agent, output, and the event that records how it ended.
import type { JsMsg } from "@nats-io/jetstream";
import { ExecutorError, errorMessage, RateLimitedError } from "../../core/errors.ts";
import { newEvent } from "../../core/events/index.ts";
import type { TaskState } from "../../core/lifecycle/index.ts";
import { failureFrom, internalFailure, type RunOutcome, runFields } from "../../core/worker/outcome.ts";
import { ArtifactKeys, resolveText } from "../../nats/artifacts.ts";
import { judgeCritique } from "../critic/judge-critique.ts";
import type { RunnerDeps, TaskHandle } from "./runner-types.ts";
import { validateOutput } from "./validate-output.ts";
import { openWorkdir } from "./workdir.ts";

/** Assemble the exact prompt: the base text, attachments by reference, and validation feedback. */
export async function buildPrompt(deps: RunnerDeps, task: TaskState): Promise<string> {
  const parts = [await resolveText(deps.artifacts, task.created.prompt)];
  for (const a of task.created.attachments) parts.push(`${a.label}:\n${await deps.artifacts.getText(a.ref)}`);
  if (task.feedback) parts.push(task.feedback);
  return parts.join("\n\n");
}

export type RunResult = "done" | "stopped" | "rate_limited";

/** Execute the agent and publish its outcome; "stopped" and "rate_limited" leave the event to the caller. */
export async function runTask(
  deps: RunnerDeps,
  h: TaskHandle,
  msg: JsMsg,
  prompt: string,
): Promise<RunResult> {
  const { task } = h;
  const started = Date.now();
  const workdir = await openWorkdir(deps.dataDir, task.task_id, h.attempt, deps.executor.usesWorkdir);
  const release = await deps.models.acquire(task.model, h.abort.signal, () => msg.working());
  let outcome: RunOutcome | undefined;
  try {
    const result = await deps.executor.run({
      prompt,
      model: task.model,
      cwd: workdir.path,
      timeoutMs: task.created.timeout_ms,
      killGraceMs: deps.killGraceMs,
      signal: h.abort.signal,
      onProgress: (p) => h.onProgress(p),
    });
    const ref = ArtifactKeys.output(task.task_id, h.attempt);
    await deps.artifacts.putText(ref, result.output);
    const fields = runFields(result, ref, Date.now() - started);
    if (task.created.task_type === "critic") {
      outcome = await judgeCritique(deps, h, result.output, fields);
    } else if (result.handoff) {
      outcome = {
        type: "task.handoff_requested",
        data: { ...fields, remaining_work: (result.remaining ?? "").slice(0, 20_000) },
      };
    } else {
      outcome = (await validateOutput(deps, h, result.output, fields)) ?? {
        type: "task.completed",
        data: fields,
      };
    }
  } catch (err) {
    const ms = Date.now() - started;
    if (h.abort.signal.aborted) return "stopped";
    if (err instanceof RateLimitedError) {
      deps.models.slowDown(task.model, err.retryAfterMs);
      h.rateLimitedMs = err.retryAfterMs;
      return "rate_limited";
    }
    outcome =
      err instanceof ExecutorError
        ? failureFrom(err, h.attempt, ms, task.model)
        : internalFailure("internal", errorMessage(err), h.attempt, ms);
  } finally {
    release();
    await workdir.release();
  }
  if (h.abort.signal.aborted && h.stopReason !== "cancel") return "stopped";
  await h.append(newEvent(outcome.type, outcome.data, h.meta()));
  return "done";
}
