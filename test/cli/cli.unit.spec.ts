import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { countOption, intOption, joinNegativeValues, parseCommand } from "../../src/cli/args.ts";
import { type JobView, jobLine } from "../../src/cli/commands/views.ts";
import { CliError, Exit, exitForStatus } from "../../src/cli/exit.ts";
import { bar, table } from "../../src/cli/format.ts";
import { parseSse } from "../../src/cli/sse-client.ts";

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const chunk of chunks) c.enqueue(new TextEncoder().encode(chunk));
      c.close();
    },
  });
}

describe("the CLI's pieces", () => {
  it("parses SSE across chunk boundaries, skipping comments and retry hints", async () => {
    const got = [];
    for await (const m of parseSse(
      streamOf(
        "retry: 2000\n\n: ping\n\nid: 7\nevent: job.acc",
        'epted\ndata: {"a":1}\n\n',
        "id: 9\ndata: x\ndata: y\n\n",
      ),
    ))
      got.push(m);
    assert.deepEqual(got, [
      { id: 7, event: "job.accepted", data: '{"a":1}' },
      { id: 9, event: "message", data: "x\ny" },
    ]);
  });

  it("maps gateway statuses to exit codes scripts rely on", () => {
    assert.equal(exitForStatus(400), Exit.Usage);
    assert.equal(exitForStatus(404), Exit.NotFound);
    assert.equal(exitForStatus(409), Exit.NotReady);
    assert.equal(exitForStatus(409, "ALREADY_ENDED"), Exit.Failure, "cancelling what ended will never work");
    assert.equal(exitForStatus(401), Exit.Failure);
    assert.equal(exitForStatus(503), Exit.Failure);
  });

  it("draws tables and bars", () => {
    assert.equal(
      table(
        ["queue", "n"],
        [
          ["standard", 3],
          ["heavy", 12],
        ],
      ),
      "queue      n\nstandard   3\nheavy     12",
    );
    assert.equal(bar(1, 4, 8), "[##......]");
    const job: JobView = {
      job_id: "j1",
      status: "running",
      spec: "s",
      count: 4,
      infinite: false,
      iterations_planned: 4,
      iterations: { passed: 1, exhausted: 0, failed: 0, cancelled: 0 },
      progress: { running: 2 },
      cost_usd: 0.5,
      quality: { critiques: 1, quality: 8, compliance: 9 },
      reason: null,
    };
    assert.match(
      jobLine(job),
      /^j1 \[#+\.+\] 1\/4 iterations · running 2 · \$0\.5000 · quality 8\.0 · running$/,
    );
  });

  const base: JobView = {
    job_id: "j1",
    status: "running",
    spec: "s",
    count: 4,
    infinite: false,
    iterations_planned: 4,
    iterations: { passed: 0, exhausted: 0, failed: 0, cancelled: 0 },
    progress: {},
    cost_usd: 0,
    quality: { critiques: 0, quality: 0, compliance: 0 },
    reason: null,
  };

  it("given a cancelled job, then its bar fills only with the iterations that ran, never to full", () => {
    const line = jobLine({
      ...base,
      status: "cancelled",
      reason: "wrong spec",
      iterations: { passed: 1, exhausted: 0, failed: 0, cancelled: 3 },
    });
    assert.match(line, /^j1 \[######\.{18}\] 1\/4 iterations · 3 cancelled · .* · cancelled \(wrong spec\)$/);
  });

  it("given an infinite job, then its bar is measured against its cap, ends in ∞ and names the cap", () => {
    const running = jobLine({
      ...base,
      count: null,
      infinite: true,
      iterations_planned: 8,
      max_iterations: 1000,
    });
    assert.match(running, /^j1 \[\.{23}∞\] 0\/∞ iterations \(cap 1000, planned 8\)/);
    // Every planned iteration ended: the bar still does not look full.
    const stopped = jobLine({
      ...base,
      count: null,
      infinite: true,
      status: "completed",
      reason: "stopped",
      iterations_planned: 8,
      iterations: { passed: 8, exhausted: 0, failed: 0, cancelled: 0 },
    });
    assert.match(stopped, /^j1 \[\.{23}∞\] 8\/∞ iterations \(cap 1000, planned 8\)/);
    const capped = jobLine({
      ...base,
      count: null,
      infinite: true,
      iterations_planned: 10,
      max_iterations: 10,
      iterations: { passed: 10, exhausted: 0, failed: 0, cancelled: 0 },
    });
    assert.match(capped, /^j1 \[#{23}∞\] 10\/∞ iterations \(cap 10,/);
  });

  it("rounds a bar down, so only a finished job's bar is full", () => {
    assert.equal(bar(999, 1000, 8), "[#######.]");
    assert.equal(bar(1000, 1000, 8), "[########]");
  });

  it("given a negative number after an option that takes a value, then it is that option's value", () => {
    const options = { count: { type: "string", short: "n" }, json: { type: "boolean" } } as const;
    assert.deepEqual(joinNegativeValues(["--count", "-1", "-n", "-2", "--json"], options), [
      "--count=-1",
      "-n=-2",
      "--json",
    ]);
    assert.equal(parseCommand(["--count", "-1"], options, "usage").values.count, "-1");
  });

  it("given a bad command line, then the usage error names the option and shows the usage", () => {
    assert.throws(
      () => parseCommand(["--colour"], { json: { type: "boolean" } }, "usage: agents x"),
      (err: unknown) =>
        err instanceof CliError &&
        err.exitCode === Exit.Usage &&
        /--colour/.test(err.message) &&
        /usage: agents x$/.test(err.message),
    );
  });

  it("given a count that is not 1–10000 or infinite, then the error says what count may be", () => {
    assert.equal(countOption("infinite"), "infinite");
    assert.equal(countOption("7"), 7);
    for (const bad of ["-1", "0", "lots", "1.5", "10001", ""])
      assert.throws(
        () => countOption(bad),
        (err: unknown) =>
          err instanceof CliError &&
          err.message === `count: an integer 1–10000 or infinite (got "${bad}")` &&
          err.exitCode === Exit.Usage,
      );
    assert.throws(() => intOption("priority", "900", -500, 500), /--priority: an integer from -500 to 500/);
    assert.equal(intOption("priority", "-5", -500, 500), -5);
  });
});
