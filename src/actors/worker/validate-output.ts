// Run a task's validation list on its output; a failure becomes validation.failed with feedback.

import type { RunOutcome, runFields } from "../../core/worker/outcome.ts";
import { feedbackForPrompt, runValidations, ValidationSpec } from "../../validation/index.ts";
import type { RunnerDeps, TaskHandle } from "./runner-types.ts";

/** validation.failed when any validator fails, else undefined. LLM judges run through the executor. */
export async function validateOutput(
  deps: RunnerDeps,
  h: TaskHandle,
  output: string,
  fields: ReturnType<typeof runFields>,
): Promise<RunOutcome | undefined> {
  const specs = h.task.created.validation;
  if (specs.length === 0) return undefined;
  const parsed = ValidationSpec.array().safeParse(specs);
  const judge = async (prompt: string) => {
    const r = await deps.executor.run({
      prompt,
      model: h.task.model,
      cwd: deps.dataDir,
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
  return {
    type: "validation.failed",
    data: {
      attempt: h.attempt,
      output_ref: fields.output_ref,
      failures: outcome.failures,
      feedback: feedbackForPrompt(outcome.failures).slice(0, 20_000),
      duration_ms: fields.duration_ms,
      cost_usd: fields.cost_usd,
      usage: fields.usage,
      model: fields.model,
    },
  };
}
