// What an evolve function may know besides the event: its stream sequence and the documents it
// depends on, as they were loaded for this batch (pure data, so evolves stay pure).
import type { AgentEvent } from "../core/events/index.ts";
import type { JobDoc } from "./job-progress/evolve.ts";
import type { TaskDoc } from "./task-details/evolve.ts";

export type FoldContext = {
  /** Stream sequence of the event; every document it changes records it as `seq`. */
  seq: number;
  /** For task events: the task document before and after this event. */
  task: { before: TaskDoc | null; after: TaskDoc | null } | null;
  /** The event's job document before this event, when it has one. */
  job: JobDoc | null;
  /** For critiques: the judged task's document. */
  target: TaskDoc | null;
};

/** A context with only the sequence known. */
export function contextAt(seq: number): FoldContext {
  return { seq, task: null, job: null, target: null };
}

/** Token counts summed over runs. */
export type Usage = { input_tokens: number; output_tokens: number };

/** Add one run's token counts to a sum (absent usage adds nothing). */
export function addUsage(sum: Usage, u: Usage | undefined): Usage {
  if (!u) return sum;
  return {
    input_tokens: sum.input_tokens + u.input_tokens,
    output_tokens: sum.output_tokens + u.output_tokens,
  };
}

export const NO_USAGE: Usage = { input_tokens: 0, output_tokens: 0 };

/** Cost and tokens a task event reports for one run (zero for other events). */
export function runCost(event: AgentEvent): { cost_usd: number; usage: Usage | undefined } {
  switch (event.type) {
    case "task.completed":
    case "task.handoff_requested":
    case "task.failed":
    case "validation.failed":
      return { cost_usd: event.data.cost_usd, usage: event.data.usage };
    default:
      return { cost_usd: 0, usage: undefined };
  }
}
