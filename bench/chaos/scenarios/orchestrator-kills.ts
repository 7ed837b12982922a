// The orchestrator SIGKILLed under a steady trickle of submissions: first alone (a new one is started
// at once, as a supervisor would), then as the leader with a standby waiting (a new standby is
// started after each takeover). No decision may be lost or made twice; how long the system goes
// without deciding is measured from the stream.
import { setTimeout as sleep } from "node:timers/promises";
import { Kvm } from "@nats-io/kv";
import { LEASES_BUCKET } from "../../../src/core/events/index.ts";
import { auditJobs, reportJobs, waitForJobs } from "../audit.ts";
import type { Ledger } from "../ledger.ts";
import { say } from "../say.ts";
import { onStack, type Scenario, sized } from "../scenario.ts";
import type { ChaosStack } from "../stack.ts";

const NAME = "orchestrator-kills";
const SIZES = {
  full: { lone: 4, standby: 4, workers: 2, perSecond: 2, everyMs: 6_000, settleMs: 180_000 },
  quick: { lone: 1, standby: 1, workers: 1, perSecond: 2, everyMs: 3_000, settleMs: 120_000 },
};
/** How long after a kill the suite waits for the next decision before calling it missing. */
const DECIDE_TIMEOUT_MS = 120_000;

/** The pid of the orchestrator holding the lease (its holder is `host-PID-random`). */
async function leaderPid(stack: ChaosStack): Promise<number> {
  const kv = await new Kvm(stack.nc).open(LEASES_BUCKET);
  const entry = await kv.get("orchestrator");
  const holder = entry && entry.operation === "PUT" ? entry.json<{ holder?: string }>().holder : undefined;
  const m = /-(\d+)-[a-z0-9]+$/.exec(holder ?? "");
  return m ? Number(m[1]) : -1;
}

/** ms from `t` until the orchestrator stored its next event (NaN if none within the timeout). */
async function nextDecision(ledger: Ledger, t: number): Promise<number> {
  const deadline = Date.now() + DECIDE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    await ledger.refresh();
    const at = ledger.orchestratorAfter(t);
    if (at !== undefined) return at - t;
    await sleep(250);
  }
  return Number.NaN;
}

export const orchestratorKills: Scenario = {
  name: NAME,
  what: "SIGKILL the orchestrator alone (restarted at once), then the leader with a standby waiting",
  run: (o) =>
    onStack(NAME, o, {}, async (stack, r) => {
      const size = sized(o, SIZES);
      await Promise.all([
        stack.start("orchestrator"),
        ...Array.from({ length: size.workers }, () => stack.start("worker")),
      ]);
      const trickle = new AbortController();
      const paced = stack.submitter.paced(
        size.perSecond,
        (i) => ({ spec: `Orchestrator kills ${i}: one line.\nCHAOS: sleep 200 800` }),
        trickle.signal,
      );
      const lone: number[] = [];
      const takeovers: number[] = [];
      let missing = 0;
      for (let k = 1; k <= size.lone; k++) {
        await sleep(size.everyMs);
        const [victim] = stack.alive("orchestrator");
        if (!victim) throw new Error("no orchestrator running");
        await victim.kill("SIGKILL");
        const at = Date.now();
        say(NAME, `lone kill ${k}/${size.lone}: ${victim.name}; starting a new one`);
        await stack.start("orchestrator");
        const ms = await nextDecision(stack.ledger, at);
        if (Number.isNaN(ms)) missing++;
        else lone.push(ms);
        say(NAME, `decided again ${(ms / 1000).toFixed(1)} s after the kill`);
      }
      if (size.standby > 0) await stack.start("orchestrator");
      for (let k = 1; k <= size.standby; k++) {
        await sleep(size.everyMs);
        const pid = await leaderPid(stack);
        const victim = stack.alive("orchestrator").find((a) => a.pid === pid);
        if (!victim) throw new Error(`the lease holder (pid ${pid}) is none of ours`);
        await victim.kill("SIGKILL");
        const at = Date.now();
        say(NAME, `leader kill ${k}/${size.standby}: ${victim.name}; the standby takes over`);
        const ms = await nextDecision(stack.ledger, at);
        if (Number.isNaN(ms)) missing++;
        else takeovers.push(ms);
        say(NAME, `taken over: decided again ${(ms / 1000).toFixed(1)} s after the kill`);
        await stack.start("orchestrator");
      }
      trickle.abort();
      await paced;
      const all = [...stack.submitter.acked.keys()];
      say(NAME, `faults over (${all.length} submissions); waiting for every job to end`);
      await waitForJobs(stack.ledger, all, size.settleMs, NAME);
      reportJobs(r, auditJobs(stack.ledger, all), { noFailures: true });
      r.info("orchestrator kills", lone.length + takeovers.length + missing);
      r.zero("kills never followed by a decision", missing);
      r.times("decide again (lone restart)", lone);
      r.times("takeover (standby)", takeovers);
    }),
};
