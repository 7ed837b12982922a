import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Id, type TaskType } from "../../../src/core/events/index.ts";
import { jobIdFor, taskIdFor, taskTypeFromId } from "../../../src/core/ids.ts";
import {
  bandFor,
  nextWave,
  priorityFor,
  queueFor,
  retryDelayMs,
  waveSizeFor,
} from "../../../src/core/orchestrator/planning.ts";

const TASK_TYPES: TaskType[] = ["generator", "critic", "reviser", "continuation"];

describe("waveSizeFor", () => {
  const cases: Array<[number | "infinite", number]> = [
    [1, 1],
    [3, 3],
    [5, 5],
    [6, 5],
    [12, 5],
    [20, 5],
    [21, 10],
    [50, 10],
    [10_000, 10],
    ["infinite", 4],
  ];
  for (const [count, size] of cases) {
    it(`given count ${count}, then waves hold ${size} iterations`, () => {
      assert.equal(waveSizeFor(count), size);
    });
  }

  it("given an infinite job, then its wave size lies in the brief's 3-5", () => {
    const size = waveSizeFor("infinite");
    assert.ok(size >= 3 && size <= 5, `wave size ${size} is outside 3-5`);
  });
});

describe("nextWave", () => {
  const cases: Array<{ planned: number; size: number; max: number; want: number[] }> = [
    { planned: 0, size: 3, max: 3, want: [1, 2, 3] },
    { planned: 0, size: 5, max: 12, want: [1, 2, 3, 4, 5] },
    { planned: 5, size: 5, max: 12, want: [6, 7, 8, 9, 10] },
    { planned: 10, size: 5, max: 12, want: [11, 12] },
    { planned: 12, size: 5, max: 12, want: [] },
    { planned: 8, size: 4, max: 1000, want: [9, 10, 11, 12] },
  ];
  for (const c of cases) {
    it(`given ${c.planned} planned, waves of ${c.size} and max ${c.max}, then the next wave is [${c.want}]`, () => {
      assert.deepEqual(nextWave(c.planned, c.size, c.max), c.want);
    });
  }

  it("given waves planned one after another up to the max, then every iteration number appears once, in order", () => {
    const seen: number[] = [];
    for (let wave = nextWave(0, 5, 23); wave.length > 0; wave = nextWave(seen.length, 5, 23)) {
      seen.push(...wave);
    }
    assert.deepEqual(
      seen,
      Array.from({ length: 23 }, (_, i) => i + 1),
    );
  });
});

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

describe("task ids", () => {
  const jobIds = ["jAbc123", jobIdFor("some key"), "job-with-i2-g-looking-parts"];
  for (const jobId of jobIds) {
    for (const type of TASK_TYPES) {
      it(`given job ${jobId} and a ${type}, then taskTypeFromId reads back the type`, () => {
        const id = taskIdFor(jobId, 7, type, 2);
        assert.equal(taskTypeFromId(id), type);
        assert.ok(Id.safeParse(id).success, `${id} is a valid subject token`);
        assert.ok(id.startsWith(`${jobId}-i7-`), `${id} starts with its job and iteration`);
      });
    }
  }

  it("given the same inputs, then the task id is the same; a different ordinal or iteration differs", () => {
    assert.equal(taskIdFor("j1", 3, "critic", 2), taskIdFor("j1", 3, "critic", 2));
    assert.notEqual(taskIdFor("j1", 3, "critic", 2), taskIdFor("j1", 3, "critic", 3));
    assert.notEqual(taskIdFor("j1", 3, "critic", 2), taskIdFor("j1", 4, "critic", 2));
  });

  it("given a generator, then its id ignores the ordinal (one generator per iteration)", () => {
    assert.equal(taskIdFor("j1", 3, "generator", 0), "j1-i3-g");
    assert.equal(taskIdFor("j1", 3, "generator", 5), "j1-i3-g");
  });

  it("given ids that are not derived task ids, then no type is read", () => {
    for (const id of ["j1", "j1-i3", "j1-i3-x1", "j1-g", "random-uuid-like"]) {
      assert.equal(taskTypeFromId(id), undefined, id);
    }
  });
});

describe("jobIdFor", () => {
  it("given the same key twice, then the job id is the same", () => {
    assert.equal(jobIdFor("order-42"), jobIdFor("order-42"));
  });

  it("given different keys, then the job ids differ", () => {
    const ids = new Set(Array.from({ length: 200 }, (_, i) => jobIdFor(`key-${i}`)));
    assert.equal(ids.size, 200);
  });

  it("given any key, then the job id is a 16-character subject token starting with j", () => {
    for (const key of ["a", "with spaces and / slashes", "ünïcödé", "x".repeat(200)]) {
      const id = jobIdFor(key);
      assert.match(id, /^j[A-Za-z0-9]{15}$/);
      assert.ok(Id.safeParse(id).success, `${id} is a valid subject token`);
    }
  });
});
