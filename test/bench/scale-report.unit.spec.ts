// The scale-out report's arithmetic: lifecycles/s per round, ratios to the baseline of the same
// round (not of the medians), CPU medians per kind of process, and the rendered tables.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PhaseResult } from "../../bench/lifecycle.ts";
import { CONFIGS, type ScaleOptions } from "../../bench/scale/options.ts";
import { renderScaleReport, summarize } from "../../bench/scale/report.ts";
import type { ConfigRun } from "../../bench/scale/run.ts";

const [w1, w2, , standby] = CONFIGS;

function run(config: string, round: number, lifecyclesPerSec: number, cpuSeconds = 1): ConfigRun {
  const ms = cpuSeconds * 1000;
  return {
    config,
    round,
    slots: config === "w2" ? [16, 16] : [16],
    lifecyclesPerSec,
    durationMs: 100_000 / lifecyclesPerSec,
    cpuMs: {
      orchestrator: ms,
      standby: config === "w1-standby" ? ms : 0,
      workers: ms,
      "nats-server": ms,
      bench: ms,
    },
    load: [1, 2],
    paced: { ratePerSec: lifecyclesPerSec / 2, p50Ms: round, p99Ms: 10 * round },
    saturated: { tasks: 100 } as PhaseResult,
  };
}

const runs = [run("w1", 1, 100), run("w2", 1, 150, 3), run("w1", 2, 50), run("w2", 2, 100, 1)];

describe("bench:scale report", () => {
  it("given two rounds, when summarized, then each ratio is to the baseline of its own round", () => {
    const [base, two] = summarize(
      runs,
      [w1, w2].filter((c) => c !== undefined),
      2,
    );
    assert.deepEqual(base?.perRound, [100, 50]);
    assert.deepEqual(base?.ratios, [1, 1]);
    assert.deepEqual(two?.perRound, [150, 100]);
    // Paired per round: 1.5 and 2.0, although the medians' ratio would be 100 / 50 = 2.
    assert.deepEqual(two?.ratios, [1.5, 2]);
    assert.equal(two?.medianRatio, 1.5);
  });

  it("given CPU per round, when summarized, then each kind's median is in seconds and the total per lifecycle in ms", () => {
    const [, two] = summarize(
      runs,
      [w1, w2].filter((c) => c !== undefined),
      2,
    );
    assert.equal(two?.cpuSeconds.workers, 1);
    // Four kinds (no standby) used 3 s, then 1 s each, over 100 lifecycles: 120 and 40 ms; the
    // nearest-rank median of two is the lower.
    assert.equal(two?.cpuMsPerLifecycle, 40);
    // The leader used 3 s, then 1 s, over 100 lifecycles.
    assert.equal(two?.leaderMsPerLifecycle, 10);
    assert.deepEqual(two?.dispatch, { p50: 1, p99: 10 });
  });

  it("given a configuration missing from a round, when summarized, then that round's figures are n/a", () => {
    const [s] = summarize(
      [run("w1", 1, 100)],
      [standby].filter((c) => c !== undefined),
      1,
    );
    assert.ok(Number.isNaN(s?.perRound[0]));
    assert.ok(Number.isNaN(s?.ratios[0]));
  });

  it("given a run, when rendered, then the table holds each round's figures and the paired ratios", () => {
    const options = {
      tasks: 100,
      rounds: 2,
      warmup: 0,
      concurrency: 16,
      split: false,
      echoDelayMs: 0,
      pace: 0.5,
      pacedTasks: 50,
      paced: true,
      failover: false,
      configs: [w1, w2].filter((c) => c !== undefined),
      json: undefined,
    } satisfies ScaleOptions;
    const text = renderScaleReport({
      options,
      machine: { cores: 2, cpu: "test", node: "v0", natsServer: "v2.9.10", load: [1, 2] },
      runs,
      failover: undefined,
      elapsedMs: 1000,
    });
    assert.match(
      text,
      /\| 1 orchestrator \+ 2 workers \| 2 × 16 \| 150 \/ 100 \| 100 \| 1\.50 \/ 2\.00 \(1\.50\) \|/,
    );
    assert.match(text, /\| 1 orchestrator \+ 1 worker \| 1 × 16 \| 100 \/ 50\.0 \|/);
    assert.doesNotMatch(text, /Failover/);
  });
});
