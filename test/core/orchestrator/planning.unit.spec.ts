import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TaskType } from "../../../src/core/events/index.ts";
import { bandFor, priorityFor, queueFor, retryDelayMs } from "../../../src/core/orchestrator/planning.ts";

const TASK_TYPES: TaskType[] = ["generator", "critic", "reviser", "continuation"];

describe("priorityFor", () => {
  const cases: Array<{ type: TaskType; n: number; offset?: number; want: number }> = [
    { type: "generator", n: 1, want: 999 },
    { type: "generator", n: 40, want: 960 },
    { type: "critic", n: 1, want: 1499 },
    { type: "reviser", n: 3, want: 1497 },
    { type: "continuation", n: 7, want: 1493 },
    { type: "generator", n: 2, offset: 100, want: 1098 },
    { type: "critic", n: 2, offset: -500, want: 998 },
  ];
  for (const c of cases) {
    it(`given a ${c.type} of iteration ${c.n} with offset ${c.offset ?? 0}, then its priority is ${c.want}`, () => {
      assert.equal(priorityFor(c.type, c.n, c.offset), c.want);
    });
  }

  it("given one iteration, then its follow-up tasks outrank every generator of nearby iterations", () => {
    for (const type of TASK_TYPES.filter((t) => t !== "generator")) {
      assert.ok(priorityFor(type, 10) > priorityFor("generator", 1), `${type} outranks generator 1`);
    }
  });
});

describe("bandFor", () => {
  const cases: Array<[number, string]> = [
    [2000, "high"],
    [1200, "high"],
    [1199, "normal"],
    [999, "normal"],
    [800, "normal"],
    [799, "low"],
    [0, "low"],
    [-500, "low"],
  ];
  for (const [priority, band] of cases) {
    it(`given priority ${priority}, then the band is ${band}`, () => {
      assert.equal(bandFor(priority), band);
    });
  }

  it("given default priorities, then generators run normal and their follow-ups high", () => {
    assert.equal(bandFor(priorityFor("generator", 1)), "normal");
    assert.equal(bandFor(priorityFor("critic", 1)), "high");
  });
});

describe("queueFor", () => {
  const cases: Array<{ type: TaskType; generatorQueue?: "standard" | "heavy"; want: string }> = [
    { type: "generator", want: "standard" },
    { type: "generator", generatorQueue: "heavy", want: "heavy" },
    { type: "critic", want: "critic" },
    { type: "critic", generatorQueue: "heavy", want: "critic" },
    { type: "reviser", want: "heavy" },
    { type: "continuation", want: "heavy" },
  ];
  for (const c of cases) {
    it(`given a ${c.type} (generators on ${c.generatorQueue ?? "default"}), then it goes to ${c.want}`, () => {
      assert.equal(queueFor(c.type, c.generatorQueue), c.want);
    });
  }
});

describe("retryDelayMs", () => {
  const jitters = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999_999];
  const extremes = (attempt: number, base: number) => {
    const ds = jitters.map((j) => retryDelayMs(attempt, base, j, Number.MAX_SAFE_INTEGER));
    return { min: Math.min(...ds), max: Math.max(...ds) };
  };

  for (const base of [1, 300, 2000]) {
    it(`given base ${base} ms and any jitter, then each attempt's delay exceeds every delay of the one before`, () => {
      for (let attempt = 1; attempt < 12; attempt++) {
        const now = extremes(attempt, base);
        const next = extremes(attempt + 1, base);
        assert.ok(
          next.min > now.max,
          `attempt ${attempt + 1} min ${next.min} must exceed attempt ${attempt} max ${now.max}`,
        );
      }
    });
  }

  it("given jitter 0.5, then the delay is base · 2^(attempt−1)", () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((a) => retryDelayMs(a, 1000, 0.5)),
      [1000, 2000, 4000, 8000],
    );
  });

  it("given the jitter range, then the delay stays within ±25% of the exponential", () => {
    assert.equal(retryDelayMs(3, 1000, 0), 3000);
    const top = retryDelayMs(3, 1000, 0.999_999);
    assert.ok(top <= 5000, `delay ${top} exceeds 5000`);
  });

  it("given a cap, then no delay exceeds the cap plus its jitter", () => {
    for (const j of jitters) {
      const d = retryDelayMs(30, 1000, j, 60_000);
      assert.ok(d >= 60_000 * 0.75 && d <= 60_000 * 1.25, `jitter ${j}: delay ${d}`);
    }
  });
});
