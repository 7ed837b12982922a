// A hostile validation through a real worker process: given a submission whose regex froze the
// fleet (`([A-Za-z0-9]+ ?)+#` backtracking over a long output on the worker's main thread), when a
// worker runs it, then the task ends in validation.failed with its reason, its heartbeats keep
// flowing (no redelivery), and the worker goes on to serve the next job.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Subjects } from "../../../src/core/events/index.ts";
import { taskIdFor } from "../../../src/core/ids.ts";
import { ofType, type TestStack, useStack } from "../../support/index.ts";
import { jobDone, uniqueSpec } from "../critic/support.ts";

const HOSTILE = "([A-Za-z0-9]+ ?)+#";
// Alphanumerics and spaces, no "#": the input on which that pattern backtracks for ever.
const LONG_OUTPUT = "word ".repeat(6_000).trim();

type Stored = Awaited<ReturnType<TestStack["events"]>>;

/** Events of the job's first generator, once its first attempt failed validation. */
async function firstValidationFailure(stack: TestStack, jobId: string): Promise<Stored> {
  const task = taskIdFor(jobId, 1, "generator", 0);
  return stack.waitFor(Subjects.task(task), (es) => ofType(es, "validation.failed").length > 0, 60_000);
}

describe("a worker given a hostile regex validation", () => {
  const stack = useStack({ workers: 1 });

  it("fails the validation on a long output and then serves the next job", async () => {
    const { spec } = uniqueSpec("Write many words.", `output ${LONG_OUTPUT}`);
    const jobId = await stack().submit({
      spec,
      count: 1,
      validation: [{ type: "regex", params: { pattern: HOSTILE } }],
    });
    const events = await firstValidationFailure(stack(), jobId);
    const failure = ofType(events, "validation.failed")[0]?.event.data.failures[0];
    assert.equal(failure?.type, "regex");
    assert.equal(failure?.error, `Response does not match pattern: ${HOSTILE}`);

    // The fleet is not frozen: the same (only) worker completes the next job.
    const next = await stack().submit({ spec: uniqueSpec("Say hi.", "output hi").spec, count: 1 });
    const done = await jobDone(stack(), next, 60_000);
    assert.equal(ofType(done, "job.completed").length, 1);
  });

  it("keeps heartbeating while a validator spins until its deadline, which fails it with that reason", async () => {
    // A lookahead keeps the pattern off RE2: it backtracks in the validation thread until stopped.
    const pattern = `(?=${HOSTILE})`;
    const { spec } = uniqueSpec("Write more words.", `output ${LONG_OUTPUT}`);
    const jobId = await stack().submit({
      spec,
      count: 1,
      validation: [{ type: "regex", params: { pattern } }],
    });
    const events = await firstValidationFailure(stack(), jobId);
    const failed = ofType(events, "validation.failed")[0];
    assert.match(
      failed?.event.data.failures[0]?.error ?? "",
      /^Validation timed out: regex did not finish within 10 s, so it was stopped$/,
    );
    // The agent finished after duration_ms; progress reported later than that was sent while the
    // validator spun (one a second here), and the work item was never redelivered meanwhile.
    const ranMs = failed?.event.data.duration_ms ?? Infinity;
    const before = events.filter((e) => e.seq < (failed?.seq ?? 0));
    const duringValidation = ofType(before, "task.progress").filter((e) => e.event.data.elapsed_ms > ranMs);
    assert.ok(duringValidation.length >= 3, `progress during validation: ${duringValidation.length}`);
    assert.equal(ofType(before, "task.started").length, 1, "no redelivery while validating");
  });
});
