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
import type { Route } from "../../../src/core/providers/routes.ts";
import {
  AFTER_RUN_RULES,
  type AfterRun,
  type AfterRunInput,
  decideAfterRun,
  type RunEnd,
  type StopReason,
  TRUNCATED_REMAINING,
} from "../../../src/core/worker/after-run.ts";
import type { RunFields, RunOutcome } from "../../../src/core/worker/outcome.ts";
import { EXAMPLE_NOW, exampleEvent } from "../events/examples.ts";

/** A running task on `model` whose chain is opus → sonnet (both claude) → gpt-4o (openai), or `chain`. */
function task(model = "opus", chain = ["opus", "sonnet", "gpt-4o"]): TaskState {
  const [primary = "opus", ...fallbacks] = chain;
  const created = exampleEvent("task.created", { model: primary, fallback_models: fallbacks });
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

function input(
  end: RunEnd,
  o: { stop?: StopReason; model?: string; chain?: string[]; route?: Route } = {},
): AfterRunInput {
  return {
    task: task(o.model, o.chain),
    attempt: 2,
    workerId: "w1",
    route: o.route ?? "claude",
    routes: [],
    stop: o.stop,
    end,
    now: EXAMPLE_NOW,
  };
}

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** A Claude subscription limit (the executor's reading of a rate_limit_event with resetsAt). */
const usageLimit = (scope: "executor" | "model", model = "opus") =>
  new RateLimitedError("claude reported a usage limit", 2 * HOUR, model, {
    kind: "usage_limit",
    scope,
    resetsAt: EXAMPLE_NOW + 2 * HOUR,
  });
const resets = iso(EXAMPLE_NOW + 2 * HOUR);

type Case = {
  rule: string;
  given: string;
  input: AfterRunInput;
  want: Omit<AfterRun, "rule">;
};

const judgedOutcome: RunOutcome = { type: "task.completed", data: fields };

const withDenialsAndFiles: RunFields = {
  ...fields,
  permission_denials: [{ tool_name: "Bash", tool_use_id: "toolu_1", input: '{"command":"rm -rf /"}' }],
  artifacts: [{ name: "notes.md", ref: "artifacts/t/2/notes.md", bytes: 5 }],
};

const cases: Case[] = [
  {
    rule: "usage_limited",
    given: "a subscription's usage limit on opus, whose chain goes on to another executor's gpt-4o",
    input: input(threw(usageLimit("executor"))),
    want: {
      events: [
        {
          type: "task.interrupted",
          data: {
            reason: `usage limit of claude reached (resets ${resets}); falling back to gpt-4o`,
            worker_id: "w1",
            model: "gpt-4o",
            cause: "usage_limit",
            redispatch: true,
          },
        },
      ],
      delivery: { kind: "ack" },
      holdRoute: {
        route: "claude",
        until: EXAMPLE_NOW + 2 * HOUR,
        reason: `usage limit of claude reached (resets ${resets})`,
      },
    },
  },
  {
    rule: "usage_limited",
    given: "a subscription's usage limit on a task with no model to fall back to",
    input: input(threw(usageLimit("executor", "sonnet")), { model: "sonnet", chain: ["sonnet"] }),
    want: {
      events: [
        {
          type: "task.interrupted",
          data: {
            reason: `usage limit of claude reached (resets ${resets}); waiting until ${resets}`,
            worker_id: "w1",
            cause: "usage_limit",
            waiting_until: resets,
            waiting: { model: "sonnet", why: "held", until: resets },
          },
        },
      ],
      delivery: { kind: "nak", delayMs: 2 * HOUR },
      holdRoute: {
        route: "claude",
        until: EXAMPLE_NOW + 2 * HOUR,
        reason: `usage limit of claude reached (resets ${resets})`,
      },
    },
  },
  {
    rule: "usage_limited",
    given: "a usage limit of opus alone (seven_day_opus), with sonnet next on the same executor",
    input: input(threw(usageLimit("model"))),
    want: {
      events: [
        {
          type: "task.interrupted",
          data: {
            reason: `usage limit of opus reached (resets ${resets}); falling back to sonnet`,
            worker_id: "w1",
            model: "sonnet",
            cause: "usage_limit",
          },
        },
      ],
      delivery: { kind: "nak", delayMs: 0 },
      throttle: { model: "opus", ms: 2 * HOUR },
    },
  },
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
            cause: "rate_limit",
          },
        },
      ],
      delivery: { kind: "nak", delayMs: 0 },
      throttle: { model: "opus", ms: 30_000 },
    },
  },
  {
    rule: "rate_limited",
    given: "a 429 on sonnet, whose next model runs on another executor",
    input: input(threw(new RateLimitedError("429", 30_000)), { model: "sonnet" }),
    want: {
      events: [
        {
          type: "task.interrupted",
          data: {
            reason: "rate limited by the model provider; falling back to gpt-4o",
            worker_id: "w1",
            model: "gpt-4o",
            cause: "rate_limit",
            redispatch: true,
          },
        },
      ],
      delivery: { kind: "ack" },
      throttle: { model: "sonnet", ms: 30_000 },
    },
  },
  {
    rule: "rate_limited",
    given: "a 429 with retry-after 30 s on the last model of the chain",
    input: input(threw(new RateLimitedError("429", 30_000)), { model: "gpt-4o", route: "openai" }),
    want: {
      events: [
        {
          type: "task.interrupted",
          data: {
            reason: `rate limited by the model provider; waiting until ${iso(EXAMPLE_NOW + 30_000)}`,
            worker_id: "w1",
            cause: "rate_limit",
            waiting: { model: "gpt-4o", why: "held", until: iso(EXAMPLE_NOW + 30_000) },
          },
        },
      ],
      delivery: { kind: "nak", delayMs: 30_000 },
      throttle: { model: "gpt-4o", ms: 30_000 },
    },
  },
  {
    rule: "auth_failed",
    given: "credentials the provider refused (not logged in)",
    input: input(
      threw(new ExecutorError(ExecutorFailure.Auth, "claude could not authenticate: Not logged in")),
    ),
    want: {
      events: [
        {
          type: "task.failed",
          data: {
            attempt: 2,
            reason: "auth",
            error: "claude could not authenticate: Not logged in",
            duration_ms: 700,
            cost_usd: 0,
            model: "opus",
            permanent: true,
          },
        },
      ],
      delivery: { kind: "ack" },
      authFailed: { route: "claude", reason: "claude could not authenticate: Not logged in" },
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
  {
    rule: "failed",
    given: "a request the provider refused (404 unknown model), which no retry on it can fix",
    input: input(threw(new ExecutorError(ExecutorFailure.Refused, "HTTP 404: model not found")), {
      model: "gpt-4o",
      route: "openai",
    }),
    want: {
      events: [
        {
          type: "task.failed",
          data: {
            attempt: 2,
            reason: "refused",
            error: "HTTP 404: model not found",
            duration_ms: 700,
            cost_usd: 0,
            model: "gpt-4o",
            permanent: true,
          },
        },
      ],
      delivery: { kind: "ack" },
    },
  },
  {
    rule: "truncated",
    given: "an answer cut at the output limit (finish_reason length)",
    input: input({ kind: "answered", fields: { ...fields, truncated: true } }),
    want: {
      events: [
        {
          type: "task.handoff_requested",
          data: { ...fields, truncated: true, remaining_work: TRUNCATED_REMAINING },
        },
      ],
      delivery: { kind: "ack" },
    },
  },
  {
    rule: "completed",
    given: "an answer whose agent was refused a tool and wrote a file",
    input: input({ kind: "answered", fields: withDenialsAndFiles }),
    want: { events: [{ type: "task.completed", data: withDenialsAndFiles }], delivery: { kind: "ack" } },
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
