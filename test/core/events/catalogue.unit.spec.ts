import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AgentEvent,
  type AgentEventType,
  decodeWith,
  EVENT_TYPES,
  encodeJson,
  ModelName,
  Submission,
} from "../../../src/core/events/index.ts";
import { EXAMPLE_DATA, EXAMPLE_SUBMISSION, exampleEvent } from "./examples.ts";

/** How to break one required data field of each type: drop it (no value) or set a bad value. */
type Corruption = { field: string; value?: unknown };

const INVALID: Record<AgentEventType, Corruption> = {
  "job.submitted": { field: "source", value: "email" },
  "job.accepted": { field: "wave_size", value: 0 },
  "job.rejected": { field: "reasons", value: [] },
  "job.wave_planned": { field: "iterations" },
  "job.iteration_ended": { field: "outcome", value: "maybe" },
  "job.completed": { field: "cost_usd", value: -1 },
  "job.cancelled": { field: "reason" },
  "job.budget_exceeded": { field: "spent_usd" },
  "job.reopened": { field: "was_completed", value: "yes" },
  "critique.recorded": { field: "quality", value: 11 },
  "critique.unparseable": { field: "critic_task_id", value: "has spaces" },
  "task.created": { field: "prompt", value: "inline text is not a TextRef" },
  "task.queued": { field: "queue", value: "fast" },
  "task.started": { field: "worker_id" },
  "task.progress": { field: "elapsed_ms", value: 1.5 },
  "task.handoff_requested": { field: "remaining_work" },
  "task.completed": { field: "output_ref" },
  "task.failed": { field: "reason", value: "bad luck" },
  "validation.failed": { field: "failures", value: [] },
  "task.retry_scheduled": { field: "not_before", value: "tomorrow" },
  "task.dead_lettered": { field: "last_error" },
  "task.cancel_requested": { field: "reason", value: 42 },
  "task.cancelled": { field: "reason" },
  "task.interrupted": { field: "worker_id" },
  "task.requeued": { field: "attempt", value: 0 },
  "system.stopped": { field: "reason", value: "x".repeat(2001) },
  "system.resumed": { field: "reason" },
  "queue.paused": { field: "queue", value: "all" },
  "queue.resumed": { field: "queue" },
  "message.rejected": { field: "stream_seq", value: -1 },
  "model.day_budget_spent": { field: "day", value: "yesterday" },
};

// The example event of `type` as plain JSON with one data field dropped or replaced.
function corrupted(type: AgentEventType, c: Corruption): unknown {
  const event = JSON.parse(JSON.stringify(exampleEvent(type))) as { data: Record<string, unknown> };
  if ("value" in c) event.data[c.field] = c.value;
  else delete event.data[c.field];
  return event;
}

function paths(result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }): string[] {
  return (result.error?.issues ?? []).map((i) => i.path.map(String).join("."));
}

describe("event catalogue", () => {
  it("given the example table, then it covers every event type exactly", () => {
    assert.deepEqual(Object.keys(EXAMPLE_DATA).sort(), [...EVENT_TYPES].sort());
    assert.deepEqual(Object.keys(INVALID).sort(), [...EVENT_TYPES].sort());
    assert.equal(new Set(EVENT_TYPES).size, EVENT_TYPES.length, "event types are unique");
  });

  for (const type of EVENT_TYPES) {
    it(`given a valid ${type} event, when parsed, then it is accepted unchanged`, () => {
      const event = exampleEvent(type);
      const parsed = AgentEvent.safeParse(JSON.parse(JSON.stringify(event)));
      assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
      assert.deepEqual(parsed.data, event);
    });

    const c = INVALID[type];
    const how = "value" in c ? "a bad" : "no";
    it(`given a ${type} event with ${how} data.${c.field}, when parsed, then the issue names data.${c.field}`, () => {
      const parsed = AgentEvent.safeParse(corrupted(type, c));
      assert.equal(parsed.success, false);
      assert.deepEqual(paths(parsed), [`data.${c.field}`]);
    });
  }

  it("given an unknown event type, when parsed, then the issue names type", () => {
    const event = { ...exampleEvent("task.queued"), type: "task.teleported" };
    assert.deepEqual(paths(AgentEvent.safeParse(event)), ["type"]);
  });

  it("given an event without id or with a bad occurred_at, when parsed, then the issues name them", () => {
    const { id: _id, ...noId } = exampleEvent("task.queued");
    assert.deepEqual(paths(AgentEvent.safeParse(noId)), ["id"]);
    const badTime = { ...exampleEvent("task.queued"), occurred_at: "yesterday" };
    assert.deepEqual(paths(AgentEvent.safeParse(badTime)), ["occurred_at"]);
  });

  it("given an event encoded as JSON bytes, when decoded, then it round-trips", () => {
    const event = exampleEvent("task.completed");
    const decoded = decodeWith(AgentEvent, encodeJson(event));
    assert.deepEqual(decoded, { ok: true, value: event });
  });

  it("given bytes that are not JSON, when decoded, then the root issue says so", () => {
    const decoded = decodeWith(AgentEvent, new TextEncoder().encode("{nope"));
    assert.equal(decoded.ok, false);
    assert.match(decoded.ok ? "" : (decoded.issues[0]?.message ?? ""), /^not JSON/);
  });
});

describe("Submission", () => {
  it("given a fixed count, then it parses", () => {
    assert.deepEqual(Submission.parse(EXAMPLE_SUBMISSION), EXAMPLE_SUBMISSION);
  });

  it('given count "infinite", then it parses', () => {
    const parsed = Submission.parse({ spec: "a haiku", count: "infinite" });
    assert.equal(parsed.count, "infinite");
  });

  it("given count 0, then the issue names count", () => {
    assert.deepEqual(paths(Submission.safeParse({ spec: "a haiku", count: 0 })), ["count"]);
  });

  it('given count "lots", then the issue names count', () => {
    assert.deepEqual(paths(Submission.safeParse({ spec: "a haiku", count: "lots" })), ["count"]);
  });

  it("given a blank spec, then the issue names spec", () => {
    assert.deepEqual(paths(Submission.safeParse({ spec: "   ", count: 1 })), ["spec"]);
  });

  it("given an unknown field, then it is rejected naming the key", () => {
    const parsed = Submission.safeParse({ spec: "a haiku", count: 1, colour: "blue" });
    assert.equal(parsed.success, false);
    const issue = parsed.error?.issues[0];
    assert.equal(issue?.code, "unrecognized_keys");
    assert.deepEqual(issue?.code === "unrecognized_keys" ? issue.keys : [], ["colour"]);
  });
});

describe("ModelName", () => {
  const real = [
    "sonnet",
    "claude-sonnet-4-5",
    "gpt-4o-2024-08-06",
    "max/opus",
    "openrouter/meta-llama/llama-3.1-70b:free",
    "ollama/qwen2.5:7b",
    "claude-3-5-sonnet@20240620",
    "anthropic.claude-3-haiku-20240307-v1:0",
  ];
  for (const name of real)
    it(`given ${name}, then it is a model name`, () => assert.ok(ModelName.safeParse(name).success));

  const hostile = [
    "--dangerously-skip-permissions",
    "-p",
    "--model=x",
    "",
    "sonnet --permission-mode bypassPermissions",
    "gpt-4o;id",
    "$(id)",
    "`id`",
    "a\nb",
    "x=y",
    '"quoted"',
    "/etc/passwd",
    ".hidden",
    "m".repeat(201),
  ];
  for (const name of hostile)
    it(`given ${JSON.stringify(name).slice(0, 40)}, then it is refused`, () =>
      assert.equal(ModelName.safeParse(name).success, false));
});
