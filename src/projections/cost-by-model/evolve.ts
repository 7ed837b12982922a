// Read model of spend per model (collection model_costs): runs, outcomes, tokens and cost.
// Serves costByModel.
import type { AgentEvent } from "../../core/events/index.ts";
import type { FoldContext } from "../context.ts";
import { docKey } from "../keys.ts";
import { addUsage, runCost } from "../usage.ts";

export type ModelCost = {
  _key: string;
  seq: number;
  model: string;
  /** Runs that ended (completed, handed off, failed, or failed validation). */
  runs: number;
  completed: number;
  handoffs: number;
  failed: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
};

/** The model a run-ending task event is billed to (its own, else the task's), or null for other events. */
export function runModel(event: AgentEvent, ctx: FoldContext): string | null {
  switch (event.type) {
    case "task.completed":
    case "task.handoff_requested":
      return event.data.model;
    case "task.failed":
    case "validation.failed":
      return event.data.model ?? ctx.task?.after?.model ?? ctx.task?.before?.model ?? null;
    default:
      return null;
  }
}

/** The document key of a model's costs (model names may hold characters keys may not). */
export function modelKey(model: string): string {
  return docKey(model);
}

/** Add one run's outcome, tokens and cost to its model's totals. */
export function evolveCostByModel(
  doc: ModelCost | null,
  event: AgentEvent,
  ctx: FoldContext,
): ModelCost | null {
  const model = runModel(event, ctx);
  if (model === null) return doc;
  const m = doc ?? {
    _key: modelKey(model),
    seq: ctx.seq,
    model,
    runs: 0,
    completed: 0,
    handoffs: 0,
    failed: 0,
    input_tokens: 0,
    output_tokens: 0,
    cost_usd: 0,
  };
  const run = runCost(event);
  const tokens = addUsage({ input_tokens: m.input_tokens, output_tokens: m.output_tokens }, run.usage);
  return {
    ...m,
    ...tokens,
    seq: ctx.seq,
    runs: m.runs + 1,
    completed: m.completed + (event.type === "task.completed" ? 1 : 0),
    handoffs: m.handoffs + (event.type === "task.handoff_requested" ? 1 : 0),
    failed: m.failed + (event.type === "task.failed" || event.type === "validation.failed" ? 1 : 0),
    cost_usd: m.cost_usd + run.cost_usd,
  };
}

/** Most expensive first, then by name. */
export function byCost(a: ModelCost, b: ModelCost): number {
  if (a.cost_usd !== b.cost_usd) return b.cost_usd - a.cost_usd;
  return a.model < b.model ? -1 : a.model > b.model ? 1 : 0;
}
