// The pure parts of the dashboard's routes, as tables: iteration pages, series windows, and a
// task's attempts from its events.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { newEvent } from "../../src/core/events/index.ts";
import type { StoredEvent } from "../../src/core/ports/event-store.ts";
import { HttpError } from "../../src/gateway/errors.ts";
import { iterationPage } from "../../src/gateway/routes/jobs.ts";
import { BUCKETS, MAX_BUCKETS, seriesQuery } from "../../src/gateway/routes/series.ts";
import { attemptsOf, cut } from "../../src/gateway/routes/task-story.ts";

describe("iteration pages", () => {
  it("given 5 planned iterations, when paged by 2, then newest first until the cursor runs out", () => {
    const seen: number[][] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = iterationPage(5, 2, cursor);
      seen.push(page.numbers);
      if (!page.next) break;
      cursor = page.next;
    }
    assert.deepEqual(seen, [[5, 4], [3, 2], [1]]);
    assert.deepEqual(iterationPage(0, 20, undefined), { numbers: [], next: null });
    assert.throws(() => iterationPage(5, 2, "bm9wZQ"), HttpError);
  });
});

describe("series windows", () => {
  const now = Date.UTC(2026, 0, 1, 12, 30, 10);
  it("given no window, then it ends after the current bucket and spans the default number of buckets", () => {
    const q = seriesQuery({ group: "model", bucket: "minute" }, now);
    assert.equal(q.to, "2026-01-01T12:31:00.000Z");
    assert.equal((Date.parse(q.to) - Date.parse(q.from)) / BUCKETS.minute, 120);
    assert.equal(q.group, "model");
  });

  it("given a spec text, then it becomes the spec key; a window too long or backwards is refused on from", () => {
    assert.equal(
      seriesQuery({ group: "spec", bucket: "hour", spec: "abcdefghijklmnop" }, now).spec_key,
      "abcdefghijklmnop",
    );
    assert.equal(
      seriesQuery({ group: "spec", bucket: "hour", spec: "Write a poem." }, now).spec_key?.length,
      16,
    );
    const tooLong = {
      group: "model" as const,
      bucket: "minute" as const,
      from: "2020-01-01T00:00:00Z",
      to: "2026-01-01T00:00:00Z",
    };
    assert.throws(
      () => seriesQuery(tooLong, now),
      (e: unknown) =>
        e instanceof HttpError && e.fields?.[0]?.path === "from" && e.message.includes(String(MAX_BUCKETS)),
    );
    const backwards = {
      group: "model" as const,
      bucket: "day" as const,
      from: "2026-01-02T00:00:00Z",
      to: "2026-01-01T00:00:00Z",
    };
    assert.throws(() => seriesQuery(backwards, now), HttpError);
  });
});

describe("a task's attempts", () => {
  const at = (n: number) => Date.UTC(2026, 0, 1, 0, 0, n);
  const ev = (seq: number, e: ReturnType<typeof newEvent>): StoredEvent => ({
    seq,
    subject: "agents.task.t",
    event: e,
  });
  const meta = (n: number) => ({ now: at(n), task_id: "t", job_id: "j" });
  const started = (n: number, attempt: number, prompt_ref?: string) =>
    newEvent(
      "task.started",
      {
        attempt,
        worker_id: "w",
        executor: "claude",
        model: "m",
        reclaimed: false,
        ...(prompt_ref ? { prompt_ref } : {}),
      },
      meta(n),
    );

  it("given a failure, a retry, an interruption and a completion, then each attempt ends as it did", () => {
    const usage = { input_tokens: 10, output_tokens: 5 };
    const events = [
      ev(2, started(1, 1)),
      ev(
        3,
        newEvent(
          "task.failed",
          { attempt: 1, reason: "timeout", error: "slow", duration_ms: 100, cost_usd: 0.01, usage },
          meta(2),
        ),
      ),
      ev(5, started(3, 2, "prompts/t/2")),
      ev(6, newEvent("task.interrupted", { reason: "stop", worker_id: "w" }, meta(4))),
      ev(7, started(5, 2, "prompts/t/2")),
      ev(8, newEvent("task.progress", { elapsed_ms: 50 }, meta(6))),
      ev(
        9,
        newEvent(
          "task.completed",
          {
            output_ref: "outputs/t/2",
            output_bytes: 3,
            duration_ms: 90,
            model: "m2",
            usage,
            cost_usd: 0.02,
            offline: false,
            excerpt: "",
          },
          meta(7),
        ),
      ),
    ];
    const attempts = attemptsOf(events);
    assert.deepEqual(
      attempts.map((a) => [a.attempt, a.outcome, a.prompt_ref, a.error, a.output_ref, a.model]),
      [
        [1, "failed", null, "timeout: slow", null, "m"],
        [2, "interrupted", "prompts/t/2", "stop", null, "m"],
        [2, "completed", "prompts/t/2", null, "outputs/t/2", "m2"],
      ],
    );
    assert.equal(attempts[2]?.cost_usd, 0.02);
  });

  it("given a long text, then it is cut at the limit and says so", () => {
    assert.deepEqual(cut("r", "abcdef", 4), { ref: "r", text: "abcd", chars: 6, truncated: true });
    assert.deepEqual(cut(null, "ab", 4), { ref: null, text: "ab", chars: 2, truncated: false });
    assert.deepEqual(cut("gone", undefined), { ref: "gone", text: null, chars: 0, truncated: false });
  });
});
