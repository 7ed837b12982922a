// A submitted regex validator built to backtrack for ever (`([A-Za-z0-9]+ ?)+#` against a long run
// of letters) while other jobs wait their turn. A user's pattern must not freeze a worker: the bait
// jobs end (a validation failure is fine), the jobs behind them complete, and every worker still
// stops when told to.
import { setTimeout as sleep } from "node:timers/promises";
import { auditJobs, reportJobs, waitForJobs } from "../audit.ts";
import { say } from "../say.ts";
import { onStack, type Scenario, sized } from "../scenario.ts";

const NAME = "hostile-regex";
const SIZES = {
  full: { bait: 2, after: 8, settleMs: 120_000 },
  quick: { bait: 2, after: 3, settleMs: 90_000 },
};
/** llm_call's own example of a pattern that backtracks exponentially. */
const PATTERN = "([A-Za-z0-9]+ ?)+#";
/** How long a worker may take to stop after SIGTERM before it counts as frozen. */
const STOP_GRACE_MS = 30_000;

export const hostileRegex: Scenario = {
  name: NAME,
  what: `a regex validator that backtracks for ever (${PATTERN}) ahead of ordinary jobs`,
  run: (o) =>
    onStack(NAME, o, {}, async (stack, r) => {
      const size = sized(o, SIZES);
      await Promise.all([stack.start("orchestrator"), stack.start("worker"), stack.start("worker")]);
      const bait = await stack.submitter.burst(size.bait, (i) => ({
        spec: `Hostile regex ${i}.\nCHAOS: bait 60`,
        validation: [{ type: "regex", params: { pattern: PATTERN } }],
        max_attempts: 2,
      }));
      // Let the bait reach the validators before the ordinary jobs arrive.
      await sleep(5_000);
      say(NAME, `bait submitted; ${size.after} ordinary jobs behind it`);
      const after = await stack.submitter.burst(size.after, (i) => ({
        spec: `After the regex ${i}: one line.\nCHAOS: sleep 200 500`,
      }));
      await waitForJobs(stack.ledger, [...bait, ...after], size.settleMs, NAME);
      reportJobs(r, auditJobs(stack.ledger, [...bait, ...after]));
      r.zero("ordinary jobs not ended", after.filter((j) => !stack.ledger.ended(j)).length);
      r.zero("bait jobs not ended", bait.filter((j) => !stack.ledger.ended(j)).length);
      let frozen = 0;
      await Promise.all(
        stack.alive("worker").map(async (w) => {
          const t0 = Date.now();
          await w.kill("SIGTERM", STOP_GRACE_MS);
          if (Date.now() - t0 >= STOP_GRACE_MS) frozen++;
        }),
      );
      r.zero(`workers not stopped ${STOP_GRACE_MS / 1000} s after SIGTERM`, frozen);
    }),
};
