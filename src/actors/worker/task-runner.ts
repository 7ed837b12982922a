// Run one claimed task: prompt, agent, output, the files it wrote; says how the run ended (the
// after-run decider in src/core/worker says what that means).

import { ExecutorError, RateLimitedError } from "../../core/errors.ts";
import { newEvent } from "../../core/events/index.ts";
import type { TaskState } from "../../core/lifecycle/index.ts";
import { type CallUsage, promptTokens } from "../../core/limits/index.ts";
import { ArtifactKeys, attachmentText, resolveText } from "../../core/ports/artifact-store.ts";
import type { Delivery } from "../../core/ports/delivery.ts";
import type { Executor, ExecutorRequest, ExecutorResult } from "../../core/ports/executor.ts";
import type { RateLimitInfo } from "../../core/providers/rate-limits.ts";
import type { RunEnd } from "../../core/worker/after-run.ts";
import { type KeptArtifacts, outputInline, progressData, runFields } from "../../core/worker/outcome.ts";
import { keepArtifacts } from "./artifacts.ts";
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
    priority: "giving its next place to work of a better band",
    budget: "at its day budget with a call in flight",
  }[w.why];
  return `waiting: model ${w.model} is ${why}, until ${new Date(w.until).toISOString()} at the latest`;
}

/** Append the run's progress now (a failure is only logged: the next heartbeat repeats it). */
function recordProgress(h: TaskHandle, started: number): void {
  h.append(newEvent("task.progress", progressData(Date.now() - started, h.progress), h.meta())).catch(
    () => undefined,
  );
}

/** Assemble the exact prompt: the base text, attachments (inline or by reference), and validation feedback. */
export async function buildPrompt(deps: RunnerDeps, task: TaskState): Promise<string> {
  const parts = [await resolveText(deps.artifacts, task.created.prompt)];
  for (const a of task.created.attachments)
    parts.push(`${a.label}:\n${await attachmentText(deps.artifacts, a)}`);
  if (task.feedback) parts.push(task.feedback);
  return parts.join("\n\n");
}

/** The request for a task's run: its model, limits and the submission's agent options. */
export function requestFor(deps: RunnerDeps, h: TaskHandle, prompt: string, cwd: string): ExecutorRequest {
  const { task } = h;
  const a = task.created.agent;
  return {
    prompt,
    model: task.model,
    cwd,
    timeoutMs: task.created.timeout_ms,
    killGraceMs: deps.killGraceMs,
    signal: h.abort.signal,
    // Bound, not an arrow: the request lives as long as the run, and a bound method costs less.
    onProgress: h.onProgress.bind(h),
    maxTurns: a?.max_turns,
    permissionMode: a?.permission_mode,
    allowedTools: a?.allowed_tools,
    systemPrompt: a?.system_prompt,
    maxTokens: a?.max_tokens,
  };
}

/** Execute the agent, store its output and files, judge or validate it; never throws (a failure is a RunEnd). */
export async function runTask(
  deps: RunnerDeps,
  executor: Executor,
  h: TaskHandle,
  prompt: string,
  work: Pick<Delivery<unknown>, "working">,
): Promise<RunEnd> {
  const { task } = h;
  const started = Date.now();
  const workdir = await openWorkdir(deps.dataDir, task.task_id, h.attempt, executor.usesWorkdir);
  let kept: KeptArtifacts | undefined;
  try {
    let waitingFor: LimitWait["why"] | undefined;
    const lease = await deps.models.acquire(
      task.model,
      { prompt: promptTokens(prompt.length), band: task.created.band, kind: task.created.task_type },
      task.created.timeout_ms + LEASE_MARGIN_MS,
      h.abort.signal,
      (w) => {
        work.working();
        const waiting = { model: w.model, why: w.why, until: new Date(w.until).toISOString() };
        h.onProgress({ message: waitMessage(w), waiting });
        // Recorded at once when the reason changes (the heartbeats repeat it), so status, the story
        // and the dashboard say why the task waits.
        if (w.why !== waitingFor) recordProgress(h, started);
        waitingFor = w.why;
      },
    );
    // The wait is over: said at once, and the run's own progress replaces the waiting message.
    if (waitingFor) {
      h.onProgress({});
      recordProgress(h, started);
    }
    let used: CallUsage | undefined;
    // What the provider said about its limits, on its answer or its error: the limiter learns it.
    let limits: RateLimitInfo | undefined;
    let sentAt: number | undefined;
    // The place is given back as soon as the call to the provider is over, not after the output is
    // stored and judged: until then its estimate, not its real use, fills the model's window.
    let given = false;
    try {
      sentAt = Date.now();
      let result: ExecutorResult;
      try {
        result = await executor.run(requestFor(deps, h, prompt, workdir.path));
      } catch (err) {
        if (err instanceof ExecutorError || err instanceof RateLimitedError) limits = err.limits;
        throw err;
      }
      used = { ...result.usage, cost_usd: result.cost_usd };
      limits = result.limits;
      given = true;
      await lease.done({ used, limits, sentAt });
      const ref = ArtifactKeys.output(task.task_id, h.attempt);
      // A small output travels in the outcome event instead (runFields carries it).
      if (!outputInline(result.output)) await deps.artifacts.putText(ref, result.output);
      if (executor.usesWorkdir)
        kept = await keepArtifacts(
          deps.artifacts,
          workdir.path,
          task.task_id,
          h.attempt,
          deps.artifactLimits,
        );
      const fields = runFields(result, ref, Date.now() - started, kept);
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
      // A cut answer goes to a continuation (the decider's truncated rule); validating it is moot.
      if (result.truncated) return { kind: "answered", fields };
      return { kind: "answered", fields, validation: await validateOutput(deps, executor, h, result.output) };
    } finally {
      if (!given) await lease.done({ used, limits, sentAt });
    }
  } catch (error) {
    return { kind: "threw", error, durationMs: Date.now() - started };
  } finally {
    // Every file is in the object store now, unless some were over the bounds: then they stay here.
    const keepFiles = kept === undefined || kept.skipped > 0;
    if (kept?.skipped)
      deps.log.warn(
        { task_id: task.task_id, folder: workdir.path, skipped: kept.skipped },
        "files over the artifact bounds were left in the task folder",
      );
    await workdir.release({ keepFiles });
  }
}
