// The worker's after-run rules as given / when / then: each case names the rule that decides it,
// and also shows that without that rule the case comes out differently (so no rule is dead weight).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DayBudgetSpentError,
  ExecutorError,
  ExecutorFailure,
  RateLimitedError,
} from "../../../src/core/errors.ts";
import { evolveTask, type TaskState } from "../../../src/core/lifecycle/index.ts";
import {
  AFTER_RUN_RULES,
  type AfterRun,
  type AfterRunInput,
  decideAfterRun,
  type RunEnd,
  type StopReason,
} from "../../../src/core/worker/after-run.ts";
import type { RunFields, RunOutcome } from "../../../src/core/worker/outcome.ts";
import { EXAMPLE_NOW, exampleEvent } from "../events/examples.ts";

/** A running task on `model` whose chain is opus → sonnet → haiku. */
function task(model = "opus"): TaskState {
  const created = exampleEvent("task.created", { model: "opus", fallback_models: ["sonnet", "haiku"] });
  return { ...evolveTask(null, created, 1), model };
}

const fields: RunFields = {
  output_ref: "outputs/t/2",
  output_bytes: 12,
  duration_ms: 900,
  model: "opus",
  usage: { input_tokens: 10, output_tokens: 20 },
  cost_usd: 0.01,
  offline: false,
  excerpt: "the answer",
};

const answered: RunEnd = { kind: "answered", fields };
const threw = (error: unknown): RunEnd => ({ kind: "threw", error, durationMs: 700 });

function input(end: RunEnd, o: { stop?: StopReason; model?: string } = {}): AfterRunInput {
  return { task: task(o.model), attempt: 2, workerId: "w1", stop: o.stop, end, now: EXAMPLE_NOW };
}

type Case = {
  rule: string;
  given: string;
  input: AfterRunInput;
  want: Omit<AfterRun, "rule">;
};

const judgedOutcome: RunOutcome = { type: "task.completed", data: fields };

const cases: Case[] = [
  {
    rule: "rate_limited",
    given: "a 429 with retry-after 30 s on the primary model of a chain",
    input: input(threw(new RateLimitedError("429 Too Many Requests", 30_000, "opus"))),
    want: {
      events: [
        {
          type: "task.interrupted",
          data: {
            reason: "rate limited by the model provider; falling back to sonnet",
            worker_id: "w1",
            model: "sonnet",
          },
        },
      ],
      delivery: { kind: "nak", delayMs: 0 },
      throttle: { model: "opus", ms: 30_000 },
    },
  },
  {
    rule: "rate_limited",
    given: "a 429 with retry-after 30 s on the last model of the chain",
    input: input(threw(new RateLimitedError("429", 30_000)), { model: "haiku" }),
    want: {
      events: [
        {
          type: "task.interrupted",
          data: {
            reason: "rate limited by the model provider",
            worker_id: "w1",
            waiting: { model: "haiku", why: "held", until: new Date(EXAMPLE_NOW + 30_000).toISOString() },
          },
        },
      ],
      delivery: { kind: "nak", delayMs: 30_000 },
      throttle: { model: "haiku", ms: 30_000 },
    },
  },
  {
    rule: "day_budget_spent",
    given: "the day budget of the last model of the chain spent before the agent started",
    input: input(threw(new DayBudgetSpentError("haiku", "usd", EXAMPLE_NOW + 3_600_000)), { model: "haiku" }),
    want: {
      events: [
        {
          type: "task.interrupted",
          data: {
            reason: `the day budget of model haiku is spent (US dollars); waiting until ${new Date(EXAMPLE_NOW + 3_600_000).toISOString()}`,
            worker_id: "w1",
            waiting: {
              model: "haiku",
              why: "day_budget_spent",
              until: new Date(EXAMPLE_NOW + 3_600_000).toISOString(),
            },
          },
        },
      ],
      delivery: { kind: "nak", delayMs: 3_600_000 },
    },
  },
  {
    rule: "day_budget_spent",
    given: "the day budget of the primary model spent: the task moves down its chain at once",
    input: input(threw(new DayBudgetSpentError("opus", "tokens", EXAMPLE_NOW + 3_600_000))),
    want: {
      events: [
        {
          type: "task.interrupted",
          data: {
            reason: `the day budget of model opus is spent (tokens); falling back to sonnet`,
            worker_id: "w1",
            model: "sonnet",
          },
        },
      ],
      delivery: { kind: "nak", delayMs: 0 },
    },
  },
  {
    rule: "cancelled",
    given: "a cancel that killed the agent",
    input: input(threw(new ExecutorError(ExecutorFailure.Aborted, "aborted")), { stop: "cancel" }),
    want: {
      events: [{ type: "task.cancelled", data: { reason: "cancelled while running" } }],
      delivery: { kind: "ack" },
    },
  },
  {
    rule: "completed",
    given: "a cancel that came after the agent had already answered",
    input: input(answered, { stop: "cancel" }),
    want: { events: [{ type: "task.completed", data: fields }], delivery: { kind: "ack" } },
  },
  {
    rule: "lost",
    given: "a task another worker took over while this one ran it",
    input: input(threw(new ExecutorError(ExecutorFailure.Aborted, "aborted")), { stop: "lost" }),
    want: { events: [], delivery: { kind: "none" } },
  },
  {
    rule: "stopped",
    given: "an emergency stop, even if the agent answered just before it",
    input: input(answered, { stop: "stop" }),
    want: {
      events: [{ type: "task.interrupted", data: { reason: "worker stop", worker_id: "w1" } }],
      delivery: { kind: "nak", delayMs: 1000 },
    },
  },
  {
    rule: "stopped",
    given: "the worker shutting down while the agent ran",
    input: input(threw(new ExecutorError(ExecutorFailure.Aborted, "aborted")), { stop: "shutdown" }),
    want: {
      events: [{ type: "task.interrupted", data: { reason: "worker shutdown", worker_id: "w1" } }],
      delivery: { kind: "nak", delayMs: 1000 },
    },
  },
  {
    rule: "failed",
    given: "a timeout",
    input: input(threw(new ExecutorError(ExecutorFailure.Timeout, "claude timed out after 1000 ms"))),
    want: {
      events: [
        {
          type: "task.failed",
          data: {
            attempt: 2,
            reason: "timeout",
            error: "claude timed out after 1000 ms",
            duration_ms: 700,
            cost_usd: 0,
            model: "opus",
          },
        },
      ],
      delivery: { kind: "ack" },
    },
  },
  {
    rule: "failed",
    given: "something other than the executor failing around the run",
    input: input(threw(new Error("object store unavailable"))),
    want: {
      events: [
        {
          type: "task.failed",
          data: {
            attempt: 2,
            reason: "internal",
            error: "object store unavailable",
            duration_ms: 700,
            cost_usd: 0,
          },
        },
      ],
      delivery: { kind: "ack" },
    },
  },
  {
    rule: "validation_failed",
    given: "an answer that failed its validators",
    input: input({
      kind: "answered",
      fields,
      validation: {
        failures: [{ type: "json", error: "not JSON", suggestions: ["answer with JSON only"] }],
        feedback: "VALIDATION FEEDBACK: answer with JSON only",
      },
    }),
    want: {
      events: [
        {
          type: "validation.failed",
          data: {
            attempt: 2,
            output_ref: "outputs/t/2",
            failures: [{ type: "json", error: "not JSON", suggestions: ["answer with JSON only"] }],
            feedback: "VALIDATION FEEDBACK: answer with JSON only",
            duration_ms: 900,
            cost_usd: 0.01,
            usage: { input_tokens: 10, output_tokens: 20 },
            model: "opus",
          },
        },
      ],
      delivery: { kind: "ack" },
    },
  },
  {
    rule: "handed_off",
    given: "an answer that ends with HANDOFF_REQUIRED",
    input: input({ kind: "answered", fields, handoff: { remaining: "part 2 of 3" } }),
    want: {
      events: [{ type: "task.handoff_requested", data: { ...fields, remaining_work: "part 2 of 3" } }],
      delivery: { kind: "ack" },
    },
  },
  {
    rule: "judged",
    given: "a critic's answer the critic judged",
    input: input({ kind: "judged", outcome: judgedOutcome }),
    want: { events: [judgedOutcome], delivery: { kind: "ack" } },
  },
  {
    rule: "completed",
    given: "an answer and nothing else",
    input: input(answered),
    want: { events: [{ type: "task.completed", data: fields }], delivery: { kind: "ack" } },
  },
];

describe("the worker's after-run decider", () => {
  for (const c of cases) {
    it(`given ${c.given}, then rule ${c.rule} records ${c.want.events.map((e) => e.type).join(", ") || "nothing"} and ${c.want.delivery.kind}s`, () => {
      assert.deepEqual(decideAfterRun(c.input), { ...c.want, rule: c.rule });
    });

    it(`given ${c.given}, when rule ${c.rule} is left out, then the decision differs`, () => {
      const without = AFTER_RUN_RULES.filter((r) => r.name !== c.rule);
      assert.equal(without.length, AFTER_RUN_RULES.length - 1, `rule ${c.rule} exists`);
      const d = decideAfterRun(c.input, without);
      const { rule: _rule, ...rest } = d;
      assert.notDeepEqual(rest, c.want);
    });
  }

  it("given every rule, then each one decides at least one case here", () => {
    const used = new Set(cases.map((c) => c.rule));
    assert.deepEqual(
      AFTER_RUN_RULES.map((r) => r.name).filter((n) => !used.has(n)),
      [],
    );
  });

  it("given no rule at all, then nothing is recorded and the message comes back later", () => {
    assert.deepEqual(decideAfterRun(input(answered), []), {
      events: [],
      delivery: { kind: "nak", delayMs: 1000 },
      rule: "none",
    });
  });
});
