// `npm run bench:scale`'s options: the defaults, the configurations chosen, and how worker slots are
// given out (each worker its own, or one total shared).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CONFIGS, parseScaleOptions, slotsPerWorker } from "../../bench/scale/options.ts";

describe("bench:scale options", () => {
  it("given no arguments, when parsed, then every configuration runs with 16 slots per worker, paced and with a failover", () => {
    const o = parseScaleOptions([]);
    assert.ok(o);
    assert.deepEqual(
      o.configs.map((c) => c.id),
      CONFIGS.map((c) => c.id),
    );
    assert.equal(o.tasks, 150);
    assert.equal(o.pacedTasks, 75);
    assert.equal(o.concurrency, 16);
    assert.equal(o.split, false);
    assert.equal(o.echoDelayMs, 0);
    assert.equal(o.paced, true);
    assert.equal(o.failover, true);
    assert.equal(o.json, undefined);
  });

  it("given --help, when parsed, then nothing is returned (the caller prints the help)", () => {
    assert.equal(parseScaleOptions(["--help"]), undefined);
  });

  it("given a subset of configurations, when parsed, then only those run, in the order given", () => {
    const o = parseScaleOptions([
      "--configs",
      "w4,w1",
      "--no-paced",
      "--no-failover",
      "--json",
      "/tmp/x.json",
    ]);
    assert.deepEqual(
      o?.configs.map((c) => [c.id, c.workers, c.standby]),
      [
        ["w4", 4, false],
        ["w1", 1, false],
      ],
    );
    assert.equal(o?.paced, false);
    assert.equal(o?.failover, false);
    assert.equal(o?.json, "/tmp/x.json");
  });

  it("given an unknown configuration or a bad number, when parsed, then the error names the option", () => {
    assert.throws(() => parseScaleOptions(["--configs", "w3"]), /--configs: unknown configuration "w3"/);
    assert.throws(() => parseScaleOptions(["--tasks", "0"]), /--tasks must be an integer ≥ 1/);
    assert.throws(() => parseScaleOptions(["--pace", "2"]), /--pace must be in \(0, 1\]/);
    assert.throws(() => parseScaleOptions(["--concurrency", "2000"]), /--concurrency must be ≤ 1000/);
    assert.throws(
      () => parseScaleOptions(["--split", "--concurrency", "3"]),
      /cannot be shared among 4 workers/,
    );
  });

  it("given slots per worker, when a configuration has 4 workers, then each has them all", () => {
    assert.deepEqual(slotsPerWorker({ concurrency: 16, split: false }, 4), [16, 16, 16, 16]);
  });

  it("given --split, when the slots do not divide evenly, then the total is kept and the first workers get the rest", () => {
    assert.deepEqual(slotsPerWorker({ concurrency: 16, split: true }, 4), [4, 4, 4, 4]);
    assert.deepEqual(slotsPerWorker({ concurrency: 10, split: true }, 4), [3, 3, 2, 2]);
    assert.deepEqual(slotsPerWorker({ concurrency: 16, split: true }, 1), [16]);
  });
});
