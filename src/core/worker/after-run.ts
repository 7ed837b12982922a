// What a worker records after running an agent, and what it does with the work message: a decider
// over how the run ended (its answer, its validation, what it threw, and whether something stopped
// it from outside). Rules are tried in order and the first that applies decides; a new rule (a
// usage limit that waits until its reset, an auth failure, throttling) is one more entry in
// AFTER_RUN_RULES, placed before the rule it refines.
import { DayBudgetSpentError, ExecutorError, errorMessage, RateLimitedError } from "../errors.ts";
import type { EventData } from "../events/index.ts";
import type { TaskState } from "../lifecycle/index.ts";
import type { DeliveryAction } from "../ports/delivery.ts";
import { nextModel } from "./next-model.ts";
import type { RunFields, RunOutcome } from "./outcome.ts";

/** Why a running agent was stopped from outside (the first reason wins). */
export type StopReason = "cancel" | "stop" | "shutdown" | "lost";

/** What the task's validators said about an output that failed them. */
export type ValidationVerdict = {
  failures: EventData<"validation.failed">["failures"];
  /** Text for the next attempt's prompt. */
  feedback: string;
};

/** How a run ended, as the worker saw it. */
export type RunEnd =
  /** The agent answered (its output is stored under `fields.output_ref`). */
  | {
      kind: "answered";
      fields: RunFields;
      /** The agent handed off: its summary of the work still to do. */
      handoff?: { remaining: string } | undefined;
      /** The output failed the task's validators. */
      validation?: ValidationVerdict | undefined;
    }
  /** A critic's answer, already judged (the critique is recorded): the task's outcome. */
  | { kind: "judged"; outcome: RunOutcome }
  /** The run threw: the executor's error (timeout, exit code, 429, …) or anything around it. */
  | { kind: "threw"; error: unknown; durationMs: number };

export type AfterRunInput = {
  task: Pick<TaskState, "model" | "created">;
  attempt: number;
  workerId: string;
  /** Set when something outside stopped the run. */
  stop: StopReason | undefined;
  end: RunEnd;
  /** Now (ms since epoch), as data. */
  now: number;
};

/** A task event to append (the shell adds its metadata). */
export type TaskEventBody =
  | RunOutcome
  | { type: "task.cancelled"; data: EventData<"task.cancelled"> }
  | { type: "task.interrupted"; data: EventData<"task.interrupted"> };

export type AfterRun = {
  /** Appended in order to the task's subject. */
  events: TaskEventBody[];
  /** Then, what to do with the work message. */
  delivery: DeliveryAction;
  /** Hold new runs of `model` for `ms` (the provider asked us to slow down). */
  throttle?: { model: string; ms: number };
  /** The rule that decided. */
  rule: string;
};

export type AfterRunRule = { name: string; decide(i: AfterRunInput): AfterRun | undefined };

const ACK = { kind: "ack" } as const;

/** Another worker owns the task now: record nothing, leave the message alone. */
const lost: AfterRunRule = {
  name: "lost",
  decide: (i) => (i.stop === "lost" ? { events: [], delivery: { kind: "none" }, rule: "lost" } : undefined),
};

/** Cancelled while running: the agent was killed, the task ends cancelled. (An answer that beat the cancel is recorded instead, by the rules below.) */
const cancelled: AfterRunRule = {
  name: "cancelled",
  decide: (i) =>
    i.stop === "cancel" && i.end.kind === "threw"
      ? {
          events: [{ type: "task.cancelled", data: { reason: "cancelled while running" } }],
          delivery: ACK,
          rule: "cancelled",
        }
      : undefined,
};

/** An emergency stop or a worker shutting down: interrupted, and the message goes back to the queue. */
const stopped: AfterRunRule = {
  name: "stopped",
  decide: (i) =>
    i.stop === "stop" || i.stop === "shutdown"
      ? {
          events: [{ type: "task.interrupted", data: { reason: `worker ${i.stop}`, worker_id: i.workerId } }],
          delivery: { kind: "nak", delayMs: 1000 },
          rule: "stopped",
        }
      : undefined,
};

/**
 * A 429 is not a failed attempt: interrupted, on the next model of the fallback chain at once, or
 * on the same model after the provider's retry-after; the model is held back meanwhile.
 */
const rateLimited: AfterRunRule = {
  name: "rate_limited",
  decide: (i) => {
    if (i.end.kind !== "threw" || !(i.end.error instanceof RateLimitedError)) return undefined;
    const wait = i.end.error.retryAfterMs;
    const next = nextModel(i.task.created.model, i.task.created.fallback_models, i.task.model);
    const reason = `rate limited by the model provider${next ? `; falling back to ${next}` : ""}`;
    return {
      events: [
        {
          type: "task.interrupted",
          data: {
            reason,
            worker_id: i.workerId,
            ...(next
              ? { model: next }
              : {
                  waiting: { model: i.task.model, why: "held", until: new Date(i.now + wait).toISOString() },
                }),
          },
        },
      ],
      delivery: { kind: "nak", delayMs: next ? 0 : wait },
      throttle: { model: i.task.model, ms: wait },
      rule: "rate_limited",
    };
  },
};

/**
 * The model's day budget is spent (found before the agent started): not a failed attempt either.
 * Interrupted, and back in the queue until the next UTC day renews the budget, or on the next model
 * of the fallback chain at once.
 */
const dayBudgetSpent: AfterRunRule = {
  name: "day_budget_spent",
  decide: (i) => {
    if (i.end.kind !== "threw" || !(i.end.error instanceof DayBudgetSpentError)) return undefined;
    const { until } = i.end.error;
    const next = nextModel(i.task.created.model, i.task.created.fallback_models, i.task.model);
    const reason = `${errorMessage(i.end.error)}; ${next ? `falling back to ${next}` : `waiting until ${new Date(until).toISOString()}`}`;
    const waiting = next
      ? {}
      : {
          waiting: {
            model: i.task.model,
            why: "day_budget_spent" as const,
            until: new Date(until).toISOString(),
          },
        };
    return {
      events: [
        {
          type: "task.interrupted",
          data: { reason, worker_id: i.workerId, ...(next ? { model: next } : {}), ...waiting },
        },
      ],
      delivery: { kind: "nak", delayMs: next ? 0 : Math.max(until - i.now, 1000) },
      rule: "day_budget_spent",
    };
  },
};

/** Anything else thrown is a failed attempt (the orchestrator retries or dead-letters it): timeouts, exit codes, bad output, internal errors. */
const failed: AfterRunRule = {
  name: "failed",
  decide: (i) => {
    if (i.end.kind !== "threw") return undefined;
    const err = i.end.error;
    const data: EventData<"task.failed"> =
      err instanceof ExecutorError
        ? {
            attempt: i.attempt,
            reason: err.reason,
            error: errorMessage(err).slice(0, 4000),
            duration_ms: i.end.durationMs,
            cost_usd: 0,
            model: i.task.model,
          }
        : {
            attempt: i.attempt,
            reason: "internal",
            error: errorMessage(err).slice(0, 4000),
            duration_ms: i.end.durationMs,
            cost_usd: 0,
          };
    return { events: [{ type: "task.failed", data }], delivery: ACK, rule: "failed" };
  },
};

/** A critic's judged answer: its outcome as the judge decided it. */
const judged: AfterRunRule = {
  name: "judged",
  decide: (i) =>
    i.end.kind === "judged" ? { events: [i.end.outcome], delivery: ACK, rule: "judged" } : undefined,
};

/** The agent ran out of context and handed off: a continuation follows. */
const handedOff: AfterRunRule = {
  name: "handed_off",
  decide: (i) => {
    if (i.end.kind !== "answered" || !i.end.handoff) return undefined;
    const data = { ...i.end.fields, remaining_work: i.end.handoff.remaining.slice(0, 20_000) };
    return { events: [{ type: "task.handoff_requested", data }], delivery: ACK, rule: "handed_off" };
  },
};

/** The output failed validation: a failed attempt whose retry carries the validators' feedback. */
const validationFailed: AfterRunRule = {
  name: "validation_failed",
  decide: (i) => {
    if (i.end.kind !== "answered" || !i.end.validation || i.end.validation.failures.length === 0)
      return undefined;
    const { fields, validation } = i.end;
    const data: EventData<"validation.failed"> = {
      attempt: i.attempt,
      output_ref: fields.output_ref,
      failures: validation.failures,
      feedback: validation.feedback.slice(0, 20_000),
      duration_ms: fields.duration_ms,
      cost_usd: fields.cost_usd,
      usage: fields.usage,
      model: fields.model,
    };
    return { events: [{ type: "validation.failed", data }], delivery: ACK, rule: "validation_failed" };
  },
};

/** The agent answered and the answer stands. */
const completed: AfterRunRule = {
  name: "completed",
  decide: (i) =>
    i.end.kind === "answered"
      ? { events: [{ type: "task.completed", data: i.end.fields }], delivery: ACK, rule: "completed" }
      : undefined,
};

/** The rules in the order they are tried. */
export const AFTER_RUN_RULES: readonly AfterRunRule[] = [
  lost,
  cancelled,
  stopped,
  rateLimited,
  dayBudgetSpent,
  failed,
  judged,
  handedOff,
  validationFailed,
  completed,
];

/** When no rule applies (only with a partial rule list): record nothing and try the message again later. */
const UNDECIDED: AfterRun = { events: [], delivery: { kind: "nak", delayMs: 1000 }, rule: "none" };

/** Decide what follows a run. Pure. */
export function decideAfterRun(i: AfterRunInput, rules: readonly AfterRunRule[] = AFTER_RUN_RULES): AfterRun {
  for (const rule of rules) {
    const d = rule.decide(i);
    if (d) return d;
  }
  return UNDECIDED;
}
