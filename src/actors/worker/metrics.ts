// The worker's Prometheus series, recorded where its work happens: a claim, a run's end (from the
// events the after-run decider said to record and that were stored), the model gate's waits. Labels
// are bounded: task type, queue, model, outcome, reason, validator name; never a task or job id.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { QueueName, TaskType } from "../../core/events/index.ts";
import type { Usage } from "../../core/ports/executor.ts";
import type { AfterRun, StopReason, TaskEventBody } from "../../core/worker/after-run.ts";
import { oncePerRegistry } from "../../observability/registry.ts";
import { VALIDATOR_NAMES } from "../../validation/index.ts";

/** How a run ended, as the duration histogram's `outcome` label says it. */
export type RunOutcomeLabel =
  | "completed"
  | "handed_off"
  | "failed"
  | "validation_failed"
  | "cancelled"
  | "interrupted"
  | "lost";

/** Why a running task went back to the queue (`agents_task_interrupts_total`'s `reason`). */
export type InterruptReason = "stop" | "shutdown" | "rate_limited" | "day_budget_spent";

/** Why a run waited before its agent started (`agents_model_wait_seconds_total`'s `reason`). */
export type WaitReason = "throttle" | "concurrency" | "requests" | "tokens" | "priority" | "budget";

type TaskLabels = { type: TaskType; queue: QueueName; model: string };

const KNOWN_VALIDATORS: ReadonlySet<string> = new Set(VALIDATOR_NAMES);

/** Agent runs take from a second to an hour. */
const RUN_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];
/** Waits in a queue, from a few milliseconds (idle workers) to an hour (a backlog). */
const WAIT_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600];

export class WorkerMetrics {
  private readonly attempts: Counter<"type" | "queue" | "model">;
  private readonly reclaims: Counter<"type" | "queue">;
  private readonly duration: Histogram<"type" | "queue" | "model" | "outcome">;
  private readonly queueWait: Histogram<"type" | "queue">;
  private readonly inFlight: Gauge<"queue">;
  private readonly serves: Gauge<"queue">;
  private readonly slots: Gauge;
  private readonly interrupts: Counter<"queue" | "reason">;
  private readonly failures: Counter<"type" | "model" | "reason">;
  private readonly handoffs: Counter<"model">;
  private readonly tokens: Counter<"model" | "kind">;
  private readonly cost: Counter<"model">;
  private readonly rateLimits: Counter<"model">;
  private readonly waits: Counter<"model" | "reason">;
  private readonly validation: Counter<"validator">;
  private readonly dayUse: Gauge<"model" | "unit">;
  private readonly daySpent: Counter<"model" | "by">;

  constructor(registry: Registry) {
    const registers = [registry];
    this.attempts = new Counter({
      name: "agents_task_attempts_total",
      help: "Runs a worker started (task.started recorded), by task type, queue and model",
      labelNames: ["type", "queue", "model"],
      registers,
    });
    this.reclaims = new Counter({
      name: "agents_task_reclaims_total",
      help: "Runs started by taking a task over from a worker that went silent",
      labelNames: ["type", "queue"],
      registers,
    });
    this.duration = new Histogram({
      name: "agents_task_duration_seconds",
      help: "Agent run duration from claim to outcome, by task type, queue, model and outcome",
      labelNames: ["type", "queue", "model", "outcome"],
      buckets: RUN_BUCKETS,
      registers,
    });
    this.queueWait = new Histogram({
      name: "agents_task_queue_wait_seconds",
      help: "Time from a work item's dispatch (or its retry's not-before) to its first claim",
      labelNames: ["type", "queue"],
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.inFlight = new Gauge({
      name: "agents_worker_tasks_in_flight",
      help: "Tasks this worker process runs now, by queue",
      labelNames: ["queue"],
      registers,
    });
    this.serves = new Gauge({
      name: "agents_worker_serves_queue",
      help: "1 for each queue this worker process takes work from (AGENTS_QUEUES)",
      labelNames: ["queue"],
      registers,
    });
    this.slots = new Gauge({
      name: "agents_worker_concurrency",
      help: "Agents this worker process may run at once (AGENTS_WORKER_CONCURRENCY)",
      registers,
    });
    this.interrupts = new Counter({
      name: "agents_task_interrupts_total",
      help: "Runs interrupted and put back in the queue (reason: stop, shutdown or rate_limited)",
      labelNames: ["queue", "reason"],
      registers,
    });
    this.failures = new Counter({
      name: "agents_task_failures_total",
      help: "Failed attempts (task.failed, validation.failed), by task type, model and failure reason",
      labelNames: ["type", "model", "reason"],
      registers,
    });
    this.handoffs = new Counter({
      name: "agents_handoffs_total",
      help: "Runs that ended with HANDOFF_REQUIRED (task.handoff_requested), by model",
      labelNames: ["model"],
      registers,
    });
    this.tokens = new Counter({
      name: "agents_tokens_total",
      help: "Tokens agent runs used, by model and kind (input, output, cache_read, cache_creation)",
      labelNames: ["model", "kind"],
      registers,
    });
    this.cost = new Counter({
      name: "agents_cost_usd_total",
      help: "Cost of agent runs in US dollars, by model (the executor's reported or priced cost)",
      labelNames: ["model"],
      registers,
    });
    this.rateLimits = new Counter({
      name: "agents_rate_limited_total",
      help: "Runs a model provider refused with 429 / Retry-After, by model",
      labelNames: ["model"],
      registers,
    });
    this.waits = new Counter({
      name: "agents_model_wait_seconds_total",
      help: "Time runs waited before their agent started, by what held them: throttle (held back after a 429), concurrency (calls at once), requests or tokens (per window; AGENTS_MODEL_LIMITS), priority (a better band went first), budget (a call in flight already reaches the day budget; AGENTS_MODEL_DAY_BUDGETS)",
      labelNames: ["model", "reason"],
      registers,
    });
    this.dayUse = new Gauge({
      name: "agents_model_day_use",
      help: "What the fleet has used of a model with a day budget in the current UTC day (unit usd or tokens), as this worker last settled it",
      labelNames: ["model", "unit"],
      registers,
    });
    this.daySpent = new Counter({
      name: "agents_model_day_budget_spent_total",
      help: "Day budgets found spent (AGENTS_MODEL_DAY_BUDGETS), by model and what spent it (usd or tokens); counted by the worker whose call spent it",
      labelNames: ["model", "by"],
      registers,
    });
    this.validation = new Counter({
      name: "agents_validation_failures_total",
      help: "Validators that failed an output (one per failing validator of a validation.failed)",
      labelNames: ["validator"],
      registers,
    });
  }

  /** What this worker serves: its queues and how many agents it runs at once. */
  serving(queues: readonly QueueName[], concurrency: number): void {
    for (const queue of queues) this.serves.set({ queue }, 1);
    this.slots.inc(concurrency);
  }

  /** A task.started was stored: a run begins (`waitSeconds` only for the first run of a queued task). */
  claimed(t: TaskLabels, reclaimed: boolean, waitSeconds: number | undefined): void {
    this.attempts.inc(t);
    if (reclaimed) this.reclaims.inc({ type: t.type, queue: t.queue });
    if (waitSeconds !== undefined) this.queueWait.observe({ type: t.type, queue: t.queue }, waitSeconds);
  }

  /** A run is going on (+1) or over (−1). */
  running(queue: QueueName, delta: 1 | -1): void {
    this.inFlight.inc({ queue }, delta);
  }

  /**
   * A run ended: `recorded` are the events of `next` that were stored. Durations come from the
   * events when they carry one (so the histogram sums what the stream says), else `seconds`.
   */
  ran(
    t: TaskLabels,
    next: AfterRun,
    recorded: readonly TaskEventBody[],
    stop: StopReason | undefined,
    seconds: number,
  ): void {
    const first = recorded[0];
    if (next.rule === "rate_limited") this.rateLimits.inc({ model: t.model });
    if (!first) {
      this.duration.observe({ ...t, outcome: "lost" }, seconds);
      return;
    }
    const model = "model" in first.data && first.data.model ? first.data.model : t.model;
    const took = "duration_ms" in first.data ? first.data.duration_ms / 1000 : seconds;
    this.duration.observe({ ...t, model, outcome: outcomeOf(first) }, took);
    if (first.type === "task.interrupted")
      this.interrupts.inc({ queue: t.queue, reason: interruptReason(next, stop) });
    if (first.type === "task.handoff_requested") this.handoffs.inc({ model });
    if (first.type === "task.failed") this.failures.inc({ type: t.type, model, reason: first.data.reason });
    if (first.type === "validation.failed") {
      this.failures.inc({ type: t.type, model, reason: "validation" });
      for (const f of first.data.failures) this.validation.inc({ validator: validatorLabel(f.type) });
    }
    if ("cost_usd" in first.data) this.spent(model, first.data.cost_usd, first.data.usage);
  }

  /** A run waited `seconds` for `model` before its agent started. */
  waited(model: string, reason: WaitReason, seconds: number): void {
    this.waits.inc({ model, reason }, seconds);
  }

  /** The fleet's use of `model` in the current UTC day, after a settled call. */
  dayUsed(model: string, usd: number, tokens: number): void {
    this.dayUse.set({ model, unit: "usd" }, usd);
    this.dayUse.set({ model, unit: "tokens" }, tokens);
  }

  /** This worker's call spent `model`'s day budget. */
  budgetSpent(model: string, by: "usd" | "tokens"): void {
    this.daySpent.inc({ model, by });
  }

  private spent(model: string, costUsd: number, usage: Usage | undefined): void {
    this.cost.inc({ model }, costUsd);
    if (!usage) return;
    this.tokens.inc({ model, kind: "input" }, usage.input_tokens);
    this.tokens.inc({ model, kind: "output" }, usage.output_tokens);
    if (usage.cache_read_input_tokens)
      this.tokens.inc({ model, kind: "cache_read" }, usage.cache_read_input_tokens);
    if (usage.cache_creation_input_tokens)
      this.tokens.inc({ model, kind: "cache_creation" }, usage.cache_creation_input_tokens);
  }
}

/** The worker metrics of a registry (one set per registry, shared by its workers). */
export const workerMetrics = oncePerRegistry((registry) => new WorkerMetrics(registry));

function outcomeOf(e: TaskEventBody): RunOutcomeLabel {
  switch (e.type) {
    case "task.completed":
      return "completed";
    case "task.handoff_requested":
      return "handed_off";
    case "task.failed":
      return "failed";
    case "validation.failed":
      return "validation_failed";
    case "task.cancelled":
      return "cancelled";
    case "task.interrupted":
      return "interrupted";
    default: {
      const never: never = e;
      throw new Error(`unknown run outcome ${JSON.stringify(never)}`);
    }
  }
}

function interruptReason(next: AfterRun, stop: StopReason | undefined): InterruptReason {
  if (next.rule === "rate_limited") return "rate_limited";
  if (next.rule === "day_budget_spent") return "day_budget_spent";
  return stop === "shutdown" ? "shutdown" : "stop";
}

/** A validator's name as a label: one of llm_call's names, else `other` (a list that did not parse). */
function validatorLabel(type: string): string {
  return KNOWN_VALIDATORS.has(type) ? type : "other";
}
