// Workers SIGKILLed under load: each kill hits the worker running the most tasks, and a fresh worker
// replaces it. Nothing may be lost or done twice, and a killed worker's tasks must run again soon.
import { setTimeout as sleep } from "node:timers/promises";
import { auditJobs, reportJobs, waitForJobs } from "../audit.ts";
import { runningAt } from "../ledger.ts";
import { type Kill, redeliveries } from "../recovery.ts";
import { say } from "../say.ts";
import { onStack, type Scenario, sized } from "../scenario.ts";

const NAME = "worker-kills";
const SIZES = {
  // 300 submissions of one iteration: 600 tasks (a generator and its critic each).
  full: { jobs: 300, workers: 3, kills: 20, everyMs: 3_500, settleMs: 240_000 },
  quick: { jobs: 60, workers: 2, kills: 3, everyMs: 4_000, settleMs: 150_000 },
};
/** Redelivery after a worker dies must take at most this long (p90, seconds). */
const REDELIVERY_P90_S = 10;

export const workerKills: Scenario = {
  name: NAME,
  what: "SIGKILL the busiest worker every few seconds under load (a new one replaces it)",
  run: (o) =>
    onStack(NAME, o, {}, async (stack, r) => {
      const size = sized(o, SIZES);
      await Promise.all([
        stack.start("orchestrator"),
        ...Array.from({ length: size.workers }, () => stack.start("worker")),
      ]);
      say(NAME, `submitting ${size.jobs} jobs (${size.jobs * 2} tasks), agents sleeping 1-3 s`);
      const jobs = await stack.submitter.burst(size.jobs, (i) => ({
        spec: `Worker kills ${i}: answer in one line.\nCHAOS: sleep 1000 3000`,
      }));
      const kills: Kill[] = [];
      // The previous victim's replacement is ready before the next kill: killing faster than a
      // worker starts (15-20 s on a loaded machine) would leave no worker at all for a while, and
      // the redelivery times would measure worker starts instead.
      let replacement: Promise<unknown> = Promise.resolve();
      for (let tries = 0; kills.length < size.kills && tries < size.kills * 10; tries++) {
        await Promise.all([sleep(size.everyMs), replacement]);
        await stack.ledger.refresh();
        const now = Date.now();
        const busy = runningAt(stack.ledger, now);
        const victim = stack
          .alive("worker")
          .map((w) => ({ w, tasks: busy.get(w.pid) ?? [] }))
          .sort((a, b) => b.tasks.length - a.tasks.length)[0];
        if (!victim || victim.tasks.length === 0) {
          if (jobs.every((id) => stack.ledger.ended(id))) break;
          continue;
        }
        await victim.w.kill("SIGKILL");
        kills.push({ pid: victim.w.pid, at: Date.now(), tasks: victim.tasks });
        say(
          NAME,
          `kill ${kills.length}/${size.kills}: ${victim.w.name} (${victim.tasks.length} tasks running)`,
        );
        replacement = stack.start("worker");
      }
      await replacement;
      say(NAME, "faults over; waiting for every job to end");
      await waitForJobs(stack.ledger, jobs, size.settleMs, NAME);
      const a = auditJobs(stack.ledger, jobs);
      reportJobs(r, a, { noFailures: true });
      r.atLeast("worker kills", kills.length, size.kills);
      // Which tasks each victim held is read again from the whole stream: one it finished between
      // the suite's last look and the kill was not running any more.
      const held = kills.map((k) => ({ ...k, tasks: runningAt(stack.ledger, k.at).get(k.pid) ?? [] }));
      const re = redeliveries(stack.ledger, held);
      r.info(
        "tasks held by killed workers",
        kills.reduce((n, k) => n + k.tasks.length, 0),
      );
      r.info("finished before the kill took effect", re.finished);
      r.zero("never started again", re.missing.length);
      r.times("redelivery", re.times, REDELIVERY_P90_S);
    }),
};
