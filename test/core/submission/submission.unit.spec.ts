import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Submission } from "../../../src/core/events/index.ts";
import { taskIdFor } from "../../../src/core/ids.ts";
import { DEFAULT_PRICES, mergePrices } from "../../../src/core/providers/pricing.ts";
import {
  DEFAULT_INFINITE_MAX,
  firstWaveTaskIds,
  maxIterationsFor,
  nextWave,
  submissionIssues,
  type ValidatorCatalog,
  validatorIssues,
  waveSizeFor,
} from "../../../src/core/submission/index.ts";

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

describe("maxIterationsFor", () => {
  const cases = [
    { s: { count: 7 }, want: 7 },
    { s: { count: 7, max_iterations: 3 }, want: 3 },
    { s: { count: 2, max_iterations: 30 }, want: 2 },
    { s: { count: "infinite" as const }, want: DEFAULT_INFINITE_MAX },
    { s: { count: "infinite" as const, max_iterations: 12 }, want: 12 },
  ];
  for (const c of cases) {
    it(`given ${JSON.stringify(c.s)}, then at most ${c.want} iterations run`, () => {
      assert.equal(maxIterationsFor(c.s), c.want);
    });
  }
});

describe("firstWaveTaskIds", () => {
  it("given count 7, then the first wave names generators 1-5, exactly as the orchestrator derives them", () => {
    const s = Submission.parse({ spec: "x", count: 7 });
    assert.deepEqual(
      firstWaveTaskIds("jX", s),
      [1, 2, 3, 4, 5].map((n) => taskIdFor("jX", n, "generator", 0)),
    );
  });

  it("given an infinite job capped at 2, then the first wave names only 2 generators", () => {
    const s = Submission.parse({ spec: "x", count: "infinite", max_iterations: 2 });
    assert.deepEqual(firstWaveTaskIds("jY", s), ["jY-i1-g", "jY-i2-g"]);
  });
});

describe("validatorIssues", () => {
  // A stand-in catalog: the rule only routes names and params to it and names the fields.
  const catalog: ValidatorCatalog = {
    names: new Set(["json", "regex"]),
    paramIssues: (type, params) =>
      type === "regex" && typeof params.pattern !== "string"
        ? [{ field: "pattern", message: "is required (expected a string)" }]
        : type === "json" && "strict" in params
          ? [{ field: "", message: 'unrecognized key: "strict"' }]
          : [],
  };

  it("given only known names with good params, then there is no issue", () => {
    assert.deepEqual(
      validatorIssues([{ type: "json" }, { type: "regex", params: { pattern: "a" } }], catalog),
      [],
    );
    assert.deepEqual(validatorIssues(undefined, catalog), []);
  });

  it("given an unknown name, then the issue names its field and lists the known names", () => {
    assert.deepEqual(validatorIssues([{ type: "json" }, { type: "jsn" }], catalog), [
      { path: "validation.1.type", message: 'unknown validator "jsn"; known: json, regex' },
    ]);
  });

  it("given a known validator with a bad param, then the issue names validation.N.params.<field>", () => {
    assert.deepEqual(
      validatorIssues([{ type: "json" }, { type: "regex", params: { pattern: 1 } }], catalog),
      [{ path: "validation.1.params.pattern", message: "is required (expected a string)" }],
    );
  });

  it("given no params at all, then they are checked as empty params", () => {
    assert.deepEqual(validatorIssues([{ type: "regex" }], catalog), [
      { path: "validation.0.params.pattern", message: "is required (expected a string)" },
    ]);
  });

  it("given an issue with params as a whole, then the path is validation.N.params", () => {
    assert.deepEqual(validatorIssues([{ type: "json", params: { strict: true } }], catalog), [
      { path: "validation.0.params", message: 'unrecognized key: "strict"' },
    ]);
  });
});

describe("submissionIssues: budgets need priced models, permissions need the operator", () => {
  const rules = {
    validators: { names: new Set(["json"]), paramIssues: () => [] },
    defaultModel: "sonnet",
    routes: [],
    prices: DEFAULT_PRICES,
    allowAgentPermissions: false,
  };
  const sub = (extra: Record<string, unknown>) => Submission.parse({ spec: "x", count: 1, ...extra });

  it("given a budget and only priced models (claude reports its own cost), then no issue", () => {
    assert.deepEqual(submissionIssues(sub({ budget_usd: 1, fallback_models: ["gpt-4o"] }), rules), []);
  });

  it("given a budget and an unpriced default model, then the issue says it is the default", () => {
    const issues = submissionIssues(sub({ budget_usd: 1 }), { ...rules, defaultModel: "llama3" });
    assert.equal(issues[0]?.path, "model");
    assert.match(
      issues[0]?.message ?? "",
      /the default model "llama3" \(AGENTS_DEFAULT_MODEL\) has no price/,
    );
  });

  it("given a budget and the same unpriced model twice, then it is named once", () => {
    const issues = submissionIssues(
      sub({ budget_usd: 1, model: "qwen", fallback_models: ["qwen", "gpt-4o"] }),
      rules,
    );
    assert.deepEqual(
      issues.map((i) => i.path),
      ["model"],
    );
  });

  it("given the model priced in a price file at $0, then a budget is fine", () => {
    const prices = mergePrices({ models: { qwen: { input_per_mtok: 0, output_per_mtok: 0 } } });
    assert.deepEqual(submissionIssues(sub({ budget_usd: 1, model: "qwen" }), { ...rules, prices }), []);
  });

  it("given permission options, then they are refused unless the operator allows them", () => {
    const s = sub({ permission_mode: "plan", allowed_tools: ["Read"], max_turns: 5 });
    assert.deepEqual(
      submissionIssues(s, rules).map((i) => i.path),
      ["permission_mode", "allowed_tools"],
    );
    assert.deepEqual(submissionIssues(s, { ...rules, allowAgentPermissions: true }), []);
  });

  it("given a tool rule that looks like a flag, then the schema refuses it", () => {
    const r = Submission.safeParse({
      spec: "x",
      count: 1,
      allowed_tools: ["--dangerously-skip-permissions"],
    });
    assert.equal(r.success, false);
  });
});
