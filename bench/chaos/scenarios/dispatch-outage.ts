// The work stream refuses writes for a few seconds (as while it elects a leader or is full) while
// jobs are submitted: their tasks are queued in the event stream but the work items cannot be
// published. Once the work stream takes writes again, every job must still finish: something has
// to notice queued work with no work item and dispatch it again.
import { setTimeout as sleep } from "node:timers/promises";
import { DiscardPolicy } from "@nats-io/jetstream";
import { STREAM_WORK } from "../../../src/core/events/index.ts";
import { auditJobs, reportJobs, waitForJobs } from "../audit.ts";
import { say } from "../say.ts";
import { onStack, type Scenario, sized } from "../scenario.ts";

const NAME = "dispatch-outage";
const SIZES = {
  full: { jobs: 20, outageMs: 6_000, settleMs: 120_000 },
  quick: { jobs: 10, outageMs: 5_000, settleMs: 90_000 },
};

export const dispatchOutage: Scenario = {
  name: NAME,
  what: "the work stream refuses every write for a few seconds while jobs are submitted",
  run: (o) =>
    onStack(NAME, o, {}, async (stack, r) => {
      const size = sized(o, SIZES);
      await Promise.all([stack.start("orchestrator"), stack.start("worker")]);
      // Taken while the work stream is empty: a lower limit on a stream holding messages would
      // make the server drop them, which is not the fault under test.
      const original = (await stack.jsm.streams.info(STREAM_WORK)).config;
      await stack.jsm.streams.update(STREAM_WORK, { ...original, max_bytes: 1, discard: DiscardPolicy.New });
      say(NAME, `work stream refusing writes; submitting ${size.jobs} jobs`);
      const jobs = await stack.submitter.burst(size.jobs, (i) => ({
        spec: `Dispatch outage ${i}: one line.\nCHAOS: sleep 200 500`,
      }));
      await sleep(size.outageMs);
      await stack.jsm.streams.update(STREAM_WORK, original);
      say(NAME, "work stream takes writes again; waiting for every job to end");
      await waitForJobs(stack.ledger, jobs, size.settleMs, NAME);
      reportJobs(r, auditJobs(stack.ledger, jobs), { noFailures: true });
    }),
};
