// Read model of spend per model (collection model_costs): runs, outcomes, tokens and cost. A run
// that reports its use per model (the Claude CLI's modelUsage: subagents and helpers may run other
// models) counts once on every model it used, each with its own tokens and cost. Serves costByModel.
import type { AgentEvent } from "../../core/events/index.ts";
import type { FoldContext } from "../context.ts";
import { docKey } from "../keys.ts";
import { addUsage, runCost, type TokenTotals } from "../usage.ts";

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
  /** Runs whose cost is not known (the model has no price): cost_usd leaves them out. */
  unpriced_runs?: number;
};

/** One model's part of a run: its tokens and cost. */
export type ModelShare = {
  model: string;
  usage: TokenTotals | undefined;
  cost_usd: number;
  unpriced: boolean;
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

/** The models a run-ending event is billed to, each with its share (none for other events). */
export function runShares(event: AgentEvent, ctx: FoldContext): ModelShare[] {
  const model = runModel(event, ctx);
  if (model === null) return [];
  const run = runCost(event);
  const perModel =
    event.type === "task.completed" || event.type === "task.handoff_requested"
      ? event.data.model_usage
      : undefined;
  const unpriced =
    (event.type === "task.completed" || event.type === "task.handoff_requested") &&
    event.data.unpriced === true;
  if (!perModel || perModel.length === 0)
    return [{ model, usage: run.usage, cost_usd: run.cost_usd, unpriced }];
  return perModel.map((m) => ({ model: m.model, usage: m, cost_usd: m.cost_usd, unpriced: false }));
}

/** The document key of a model's costs (model names may hold characters keys may not). */
export function modelKey(model: string): string {
  return docKey(model);
}

/** Add one run's outcome, and the model's share of its tokens and cost, to the model's totals. */
export function evolveCostByModel(
  doc: ModelCost | null,
  share: { event: AgentEvent; share: ModelShare },
  ctx: FoldContext,
): ModelCost | null {
  const { event } = share;
  const { model } = share.share;
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
  const tokens = addUsage(
    { input_tokens: m.input_tokens, output_tokens: m.output_tokens },
    share.share.usage,
  );
  return {
    ...m,
    ...tokens,
    ...(share.share.unpriced ? { unpriced_runs: (m.unpriced_runs ?? 0) + 1 } : {}),
    seq: ctx.seq,
    runs: m.runs + 1,
    completed: m.completed + (event.type === "task.completed" ? 1 : 0),
    handoffs: m.handoffs + (event.type === "task.handoff_requested" ? 1 : 0),
    failed: m.failed + (event.type === "task.failed" || event.type === "validation.failed" ? 1 : 0),
    cost_usd: m.cost_usd + share.share.cost_usd,
  };
}

/** Most expensive first, then by name. */
export function byCost(a: ModelCost, b: ModelCost): number {
  if (a.cost_usd !== b.cost_usd) return b.cost_usd - a.cost_usd;
  return a.model < b.model ? -1 : a.model > b.model ? 1 : 0;
}
