// Read model of spend over time (collection run_costs): one entry per agent run that ended
// (completed, handed off, failed, failed validation) with its model, spec, job, tokens, cost and
// time. Keyed by the event id, so an event published twice is counted once. Serves costSeries.
import type { AgentEvent } from "../../core/events/index.ts";
import type { FoldContext } from "../context.ts";
import { runModel } from "../cost-by-model/evolve.ts";
import { docKey } from "../keys.ts";
import { runCost } from "../usage.ts";

export type RunOutcomeKind = "completed" | "handoff" | "failed" | "validation_failed";

export type RunCostEntry = {
  _key: string;
  seq: number;
  task_id: string;
  job_id: string | null;
  spec_key: string | null;
  model: string;
  outcome: RunOutcomeKind;
  cost_usd: number;
  input_tokens: number;
  output_tokens: number;
  occurred_at: string;
};

/** The key of a run's entry: its event id. */
export function runCostKey(event: AgentEvent): string {
  return docKey(event.id);
}

function outcomeOf(event: AgentEvent): RunOutcomeKind | null {
  switch (event.type) {
    case "task.completed":
      return "completed";
    case "task.handoff_requested":
      return "handoff";
    case "task.failed":
      return "failed";
    case "validation.failed":
      return "validation_failed";
    default:
      return null;
  }
}

/** Record a run-ending task event (ctx.job: the task's job, for its spec); others leave it as it is. */
export function evolveRunCosts(
  doc: RunCostEntry | null,
  event: AgentEvent,
  ctx: FoldContext,
): RunCostEntry | null {
  const outcome = outcomeOf(event);
  const model = runModel(event, ctx);
  if (outcome === null || model === null || !event.task_id) return doc;
  const run = runCost(event);
  return {
    _key: runCostKey(event),
    seq: ctx.seq,
    task_id: event.task_id,
    job_id: event.job_id ?? ctx.task?.after?.job_id ?? null,
    spec_key: ctx.job?.spec_key ?? null,
    model,
    outcome,
    cost_usd: run.cost_usd,
    input_tokens: run.usage?.input_tokens ?? 0,
    output_tokens: run.usage?.output_tokens ?? 0,
    occurred_at: event.occurred_at,
  };
}
