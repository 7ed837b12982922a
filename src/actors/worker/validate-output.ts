// Run a task's validation list on its output; failures come back with feedback for the next prompt.
import type { Executor } from "../../core/ports/executor.ts";
import type { ValidationVerdict } from "../../core/worker/after-run.ts";
import {
  feedbackForPrompt,
  type JudgeRequest,
  runValidations,
  ValidationSpec,
} from "../../validation/index.ts";
import type { RunnerDeps, TaskHandle } from "./runner-types.ts";

/**
 * The verdict when any validator fails, else undefined. LLM judges run through the executor, each
 * in the empty folder the validation module makes for it (never the data folder).
 */
export async function validateOutput(
  deps: RunnerDeps,
  executor: Executor,
  h: TaskHandle,
  output: string,
): Promise<ValidationVerdict | undefined> {
  const specs = h.task.created.validation;
  if (specs.length === 0) return undefined;
  const parsed = ValidationSpec.array().safeParse(specs);
  const judge = async ({ prompt, cwd }: JudgeRequest) => {
    const r = await executor.run({
      prompt,
      model: h.task.model,
      cwd,
      timeoutMs: h.task.created.timeout_ms,
      killGraceMs: deps.killGraceMs,
      signal: h.abort.signal,
    });
    return r.output;
  };
  const outcome = parsed.success
    ? await runValidations(output, parsed.data, { judge })
    : { valid: false, failures: [{ type: "validation", error: parsed.error.message, suggestions: [] }] };
  if (outcome.valid) return undefined;
  return { failures: outcome.failures, feedback: feedbackForPrompt(outcome.failures) };
}
