// Run one claimed task: prompt, agent, output; says how the run ended (the after-run decider in
// src/core/worker says what that means).

import type { TaskState } from "../../core/lifecycle/index.ts";
import { type CallUsage, promptTokens } from "../../core/limits/index.ts";
import { ArtifactKeys, resolveText } from "../../core/ports/artifact-store.ts";
import type { RunEnd } from "../../core/worker/after-run.ts";
import { runFields } from "../../core/worker/outcome.ts";
import type { LimitWait } from "./model-limiter.ts";
import type { RunnerDeps, TaskHandle } from "./runner-types.ts";
import { validateOutput } from "./validate-output.ts";
import { openWorkdir } from "./workdir.ts";

/** A call's place in its model's limits outlives the task's timeout by this much (then it lapses). */
const LEASE_MARGIN_MS = 60_000;

/** What a task waiting for its model's limits says about it (why, and until when at the latest). */
export function waitMessage(w: LimitWait): string {
  const why = {
    held: "held after the provider answered 429",
    concurrency: "at its calls-at-once limit",
    requests: "at its requests-per-window limit",
    tokens: "at its tokens-per-window limit",
  }[w.why];
  return `waiting: model ${w.model} is ${why}, until ${new Date(w.until).toISOString()} at the latest`;
}

/** Assemble the exact prompt: the base text, attachments by reference, and validation feedback. */
export async function buildPrompt(deps: RunnerDeps, task: TaskState): Promise<string> {
  const parts = [await resolveText(deps.artifacts, task.created.prompt)];
  for (const a of task.created.attachments) parts.push(`${a.label}:\n${await deps.artifacts.getText(a.ref)}`);
  if (task.feedback) parts.push(task.feedback);
  return parts.join("\n\n");
}

/** Execute the agent, store its output, judge or validate it; never throws (a failure is a RunEnd). */
export async function runTask(
  deps: RunnerDeps,
  h: TaskHandle,
  prompt: string,
  working: () => void,
): Promise<RunEnd> {
  const { task } = h;
  const started = Date.now();
  const workdir = await openWorkdir(deps.dataDir, task.task_id, h.attempt, deps.executor.usesWorkdir);
  try {
    let waited = false;
    const lease = await deps.models.acquire(
      task.model,
      { prompt: promptTokens(prompt.length) },
      task.created.timeout_ms + LEASE_MARGIN_MS,
      h.abort.signal,
      (w) => {
        waited = true;
        working();
        // Recorded with the next task.progress, so status and the task's story say why it waits.
        h.onProgress({ message: waitMessage(w) });
      },
    );
    // The wait is over: the run's own progress replaces the waiting message.
    if (waited) h.onProgress({});
    let used: CallUsage;
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
      used = result.usage;
      const ref = ArtifactKeys.output(task.task_id, h.attempt);
      await deps.artifacts.putText(ref, result.output);
      const fields = runFields(result, ref, Date.now() - started);
      if (task.created.task_type === "critic") {
        const outcome = await deps.critic({
          task,
          attempt: h.attempt,
          output: result.output,
          fields,
          meta: h.meta(),
        });
        return { kind: "judged", outcome };
      }
      if (result.handoff) return { kind: "answered", fields, handoff: { remaining: result.remaining ?? "" } };
      return { kind: "answered", fields, validation: await validateOutput(deps, h, result.output) };
    } finally {
      await lease.done(used);
    }
  } catch (error) {
    return { kind: "threw", error, durationMs: Date.now() - started };
  } finally {
    await workdir.release();
  }
}
