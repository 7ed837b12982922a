// Tokens and cost the read models sum over runs.
import type { AgentEvent, Usage } from "../core/events/index.ts";

/** Token counts summed over runs (the input and output counts of the one Usage type). */
export type TokenTotals = Pick<Usage, "input_tokens" | "output_tokens">;

/** Add one run's token counts to a sum (absent usage adds nothing). */
export function addUsage(sum: TokenTotals, u: TokenTotals | undefined): TokenTotals {
  if (!u) return sum;
  return {
    input_tokens: sum.input_tokens + u.input_tokens,
    output_tokens: sum.output_tokens + u.output_tokens,
  };
}

export const NO_USAGE: TokenTotals = { input_tokens: 0, output_tokens: 0 };

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
