// nats-server SIGKILLed mid-load and restarted on the same store after an outage, while submissions
// keep coming. Every acknowledged submission must finish, no finished agent's output may be thrown
// away (these agents never fail, so any failed task is the system's doing), and every actor must
// reconnect by itself.
import { setTimeout as sleep } from "node:timers/promises";
import { auditJobs, reportJobs, waitForJobs } from "../audit.ts";
import { say } from "../say.ts";
import { onStack, type Scenario, sized } from "../scenario.ts";

const NAME = "nats-restarts";
const SIZES = {
  full: { jobs: 120, workers: 2, restarts: 2, outageMs: 4_000, betweenMs: 12_000, settleMs: 180_000 },
  quick: { jobs: 20, workers: 2, restarts: 1, outageMs: 4_000, betweenMs: 5_000, settleMs: 120_000 },
};

export const natsRestarts: Scenario = {
  name: NAME,
  what: "SIGKILL nats-server mid-load, restart it after a 4 s outage (submissions keep coming)",
  run: (o) =>
    onStack(NAME, o, {}, async (stack, r) => {
      const size = sized(o, SIZES);
      const nats = stack.nats;
      if (!nats) throw new Error("needs a single nats-server");
      await Promise.all([
        stack.start("orchestrator"),
        ...Array.from({ length: size.workers }, () => stack.start("worker")),
      ]);
      const body = (i: number) => ({ spec: `NATS restarts ${i}: one line.\nCHAOS: sleep 1000 3000` });
      await stack.submitter.burst(size.jobs, body);
      // A trickle of submissions throughout, so some are in flight when the server dies.
      const trickle = new AbortController();
      const paced = stack.submitter.paced(2, (i) => body(size.jobs + i), trickle.signal);
      const backAt: number[] = [];
      for (let k = 1; k <= size.restarts; k++) {
        await sleep(size.betweenMs);
        say(NAME, `kill ${k}/${size.restarts}: nats-server SIGKILL, ${size.outageMs / 1000} s outage`);
        await nats.kill();
        await sleep(size.outageMs);
        await nats.restart();
        backAt.push(Date.now());
        say(NAME, "nats-server is back");
      }
      await sleep(5_000);
      trickle.abort();
      await paced;
      const all = [...stack.submitter.acked.keys()];
      say(NAME, `faults over (${all.length} submissions acknowledged); waiting for every job to end`);
      await waitForJobs(stack.ledger, all, size.settleMs, NAME);
      const a = auditJobs(stack.ledger, all);
      reportJobs(r, a, { noFailures: true });
      r.info("nats-server kills", backAt.length);
      r.info("submissions never acknowledged", stack.submitter.unacked);
      r.zero("actors that exited", stack.actors.filter((x) => x.gone).length);
      // Time from the server's return to the orchestrator's next decision.
      const resumed = backAt.map((t) => (stack.ledger.orchestratorAfter(t) ?? Number.NaN) - t);
      r.times("decide again after restart", resumed.filter(Number.isFinite));
    }),
};
