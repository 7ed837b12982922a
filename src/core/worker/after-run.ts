// What a worker records after running an agent, and what it does with the work message: a decider
// over how the run ended (its answer, its validation, what it threw, and whether something stopped
// it from outside). Rules are tried in order and the first that applies decides; a new rule is one
// more entry in AFTER_RUN_RULES, placed before the rule it refines.
import {
  DayBudgetSpentError,
  ExecutorError,
  ExecutorFailure,
  errorMessage,
  RateLimitedError,
} from "../errors.ts";
import type { EventData } from "../events/index.ts";
import type { TaskState } from "../lifecycle/index.ts";
import type { DeliveryAction } from "../ports/delivery.ts";
import { nextModel } from "../providers/chain.ts";
import type { RateLimitInfo } from "../providers/rate-limits.ts";
import { type ModelRoutes, type Route, routeFor } from "../providers/routes.ts";
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
  /** The route the run took (the lane it came from); the chain's next model may route elsewhere. */
  route: Route;
  /** How models route (the user's entries; defaults otherwise). */
  routes: ModelRoutes;
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
  /** Take no work of `route` until `until` (ms since epoch): its whole executor is limited. */
  holdRoute?: { route: Route; until: number; reason: string };
  /** The route's credentials were refused: take none of its work until they work again. */
  authFailed?: { route: Route; reason: string };
  /** What the provider said about its limits (for the worker's limiter and status). */
  limits?: RateLimitInfo;
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

/** The next model of the chain after the current one; with `offRoute`, the next one on another route. */
function fallback(i: AfterRunInput, offRoute: boolean): { model: string; route: Route } | undefined {
  let current = i.task.model;
  for (;;) {
    const model = nextModel(i.task.created.model, i.task.created.fallback_models, current);
    if (!model) return undefined;
    const route = routeFor(model, i.routes);
    if (!offRoute || route !== i.route) return { model, route };
    current = model;
  }
}

/** Interrupted for a limit: on to `next` (another route: the orchestrator dispatches it there), or wait. */
function limited(
  i: AfterRunInput,
  err: RateLimitedError,
  next: { model: string; route: Route } | undefined,
  waitMs: number,
  rule: string,
  what: string,
): AfterRun {
  const cause = err.kind;
  const redispatch = next !== undefined && next.route !== i.route;
  const until = i.now + waitMs;
  const data: EventData<"task.interrupted"> = next
    ? {
        reason: `${what}; falling back to ${next.model}`,
        worker_id: i.workerId,
        model: next.model,
        cause,
        ...(redispatch ? { redispatch: true } : {}),
      }
    : {
        reason: `${what}; waiting until ${new Date(until).toISOString()}`,
        worker_id: i.workerId,
        cause,
        ...(cause === "usage_limit" ? { waiting_until: new Date(until).toISOString() } : {}),
        waiting: { model: i.task.model, why: "held", until: new Date(until).toISOString() },
      };
  return {
    events: [{ type: "task.interrupted", data }],
    delivery: redispatch ? ACK : { kind: "nak", delayMs: next ? 0 : waitMs },
    ...(err.limits ? { limits: err.limits } : {}),
    rule,
  };
}

/**
 * A usage limit (a Claude subscription's window) is not a failed attempt: the task goes on to the
 * chain's next model that can run (on another executor when the whole subscription is limited), or
 * waits until the limit resets; meanwhile the worker takes no work the limit blocks.
 */
const usageLimited: AfterRunRule = {
  name: "usage_limited",
  decide: (i) => {
    if (i.end.kind !== "threw" || !(i.end.error instanceof RateLimitedError)) return undefined;
    const err = i.end.error;
    if (err.kind !== "usage_limit") return undefined;
    const wholeExecutor = err.scope === "executor";
    const wait = Math.max(err.resetsAt !== undefined ? err.resetsAt - i.now : err.retryAfterMs, 1000);
    const until = i.now + wait;
    const what = `usage limit of ${wholeExecutor ? i.route : i.task.model} reached (resets ${new Date(until).toISOString()})`;
    const decided = limited(i, err, fallback(i, wholeExecutor), wait, "usage_limited", what);
    return wholeExecutor
      ? { ...decided, holdRoute: { route: i.route, until, reason: what } }
      : { ...decided, throttle: { model: i.task.model, ms: wait } };
  },
};

/**
 * A 429 is not a failed attempt: interrupted, on the next model of the fallback chain at once, or
 * on the same model after the provider's retry-after; the model is held back meanwhile.
 */
const rateLimited: AfterRunRule = {
  name: "rate_limited",
  decide: (i) => {
    if (i.end.kind !== "threw" || !(i.end.error instanceof RateLimitedError)) return undefined;
    const err = i.end.error;
    const wait = err.retryAfterMs;
    const decided = limited(
      i,
      err,
      fallback(i, false),
      wait,
      "rate_limited",
      "rate limited by the model provider",
    );
    return { ...decided, throttle: { model: i.task.model, ms: wait } };
  },
};

/**
 * Credentials that do not work fail the attempt permanently (no retry on this executor can pass;
 * the chain's next model may), with a reason that says so; the worker stops taking the route's work.
 */
const authFailed: AfterRunRule = {
  name: "auth_failed",
  decide: (i) => {
    if (i.end.kind !== "threw" || !(i.end.error instanceof ExecutorError)) return undefined;
    if (i.end.error.reason !== ExecutorFailure.Auth) return undefined;
    const err = i.end.error;
    const data: EventData<"task.failed"> = {
      attempt: i.attempt,
      reason: err.reason,
      error: errorMessage(err).slice(0, 4000),
      duration_ms: i.end.durationMs,
      cost_usd: 0,
      model: i.task.model,
      permanent: true,
    };
    return {
      events: [{ type: "task.failed", data }],
      delivery: ACK,
      authFailed: { route: i.route, reason: errorMessage(err).slice(0, 500) },
      ...(err.limits ? { limits: err.limits } : {}),
      rule: "auth_failed",
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
            ...(err.permanent ? { permanent: true } : {}),
          }
        : {
            attempt: i.attempt,
            reason: "internal",
            error: errorMessage(err).slice(0, 4000),
            duration_ms: i.end.durationMs,
            cost_usd: 0,
          };
    const limits = err instanceof ExecutorError ? err.limits : undefined;
    return {
      events: [{ type: "task.failed", data }],
      delivery: ACK,
      ...(limits ? { limits } : {}),
      rule: "failed",
    };
  },
};

/** A critic's judged answer: its outcome as the judge decided it. */
const judged: AfterRunRule = {
  name: "judged",
  decide: (i) =>
    i.end.kind === "judged" ? { events: [i.end.outcome], delivery: ACK, rule: "judged" } : undefined,
};

/** What a continuation of a cut answer is asked to do. */
export const TRUNCATED_REMAINING =
  "The earlier answer was cut off at the output limit (finish_reason: length). Continue exactly where it stopped and complete it.";

/**
 * An answer cut at the output limit is not the whole answer: it goes to a continuation (bounded by
 * the job's continuation limit) that carries it on, rather than being taken as complete.
 */
const truncated: AfterRunRule = {
  name: "truncated",
  decide: (i) => {
    if (i.end.kind !== "answered" || i.end.fields.truncated !== true) return undefined;
    const remaining = i.end.handoff?.remaining || TRUNCATED_REMAINING;
    const data = { ...i.end.fields, remaining_work: remaining.slice(0, 20_000) };
    return { events: [{ type: "task.handoff_requested", data }], delivery: ACK, rule: "truncated" };
  },
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
      ...(fields.output_inline !== undefined ? { output_inline: fields.output_inline } : {}),
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
  usageLimited,
  rateLimited,
  authFailed,
  dayBudgetSpent,
  failed,
  judged,
  truncated,
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
