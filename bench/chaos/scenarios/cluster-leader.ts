// A 3-node JetStream cluster on loopback, every stream replicated 3 times, under load: the node
// leading the orchestrator's consumer is SIGKILLed (and restarted later), then (full size) the node
// leading the events stream and the one leading the work stream. A replicated stream must survive a
// node: nothing lost, nothing twice, nothing stuck. The consumer's leader holds the orchestrator's
// pull: losing it must cost about an election (a pull's heartbeats tell), not the pull's lifetime.
import { setTimeout as sleep } from "node:timers/promises";
import { STREAM_EVENTS, STREAM_WORK } from "../../../src/core/events/index.ts";
import { auditJobs, reportJobs, waitForJobs } from "../audit.ts";
import { say } from "../say.ts";
import { onStack, type Scenario, sized } from "../scenario.ts";
import type { ChaosStack } from "../stack.ts";

const NAME = "cluster-leader";
/** What a node leads: a stream, or the orchestrator's consumer (on the events stream). */
type Target = { stream: string; consumer?: string };
const CONSUMER: Target = { stream: STREAM_EVENTS, consumer: "orchestrator" };
const SIZES = {
  full: {
    jobs: 60,
    targets: [CONSUMER, { stream: STREAM_EVENTS }, { stream: STREAM_WORK }],
    downMs: 10_000,
    settleMs: 180_000,
  },
  quick: { jobs: 12, targets: [CONSUMER], downMs: 5_000, settleMs: 120_000 },
};
const ELECTION_TIMEOUT_MS = 60_000;

/** The stream's leader node name ("n1".."n3") and replica count, or undefined while there is none. */
async function streamInfo(stack: ChaosStack, stream: string) {
  try {
    const info = await stack.jsm.streams.info(stream);
    return { leader: info.cluster?.leader, replicas: info.config.num_replicas };
  } catch {
    return { leader: undefined, replicas: undefined };
  }
}

/** The node leading a target, or undefined while there is none. */
async function leaderOf(stack: ChaosStack, t: Target): Promise<string | undefined> {
  if (!t.consumer) return (await streamInfo(stack, t.stream)).leader;
  try {
    return (await stack.jsm.consumers.info(t.stream, t.consumer)).cluster?.leader;
  } catch {
    return undefined;
  }
}

const named = (t: Target) => (t.consumer ? `the ${t.consumer} consumer` : t.stream);

export const clusterLeader: Scenario = {
  name: NAME,
  what: "3-node JetStream cluster (R3): SIGKILL the node leading the orchestrator's consumer (full: then the events stream's and the work stream's)",
  run: (o) =>
    onStack(NAME, o, { cluster: true }, async (stack, r) => {
      const size = sized(o, SIZES);
      const cluster = stack.cluster;
      if (!cluster) throw new Error("needs a cluster");
      await Promise.all([stack.start("orchestrator"), stack.start("worker"), stack.start("worker")]);
      // Every process provisions the topology when it starts: that must not undo the replication.
      for (const s of [STREAM_EVENTS, STREAM_WORK])
        r.atLeast(`${s} replicas after actors started`, (await streamInfo(stack, s)).replicas ?? 0, 3);
      const body = (i: number) => ({ spec: `Cluster ${i}: one line.\nCHAOS: sleep 1000 3000` });
      await stack.submitter.burst(size.jobs, body);
      const trickle = new AbortController();
      const paced = stack.submitter.paced(2, (i) => body(size.jobs + i), trickle.signal);
      const elections: number[] = [];
      const killedAt: number[] = [];
      for (const target of size.targets) {
        await sleep(5_000);
        const leader = await leaderOf(stack, target);
        const index = cluster.nodes.findIndex((_, i) => `n${i + 1}` === leader);
        const node = cluster.nodes[index];
        if (!node) throw new Error(`${named(target)} has no leader among the nodes (${leader})`);
        await node.kill();
        const at = Date.now();
        say(NAME, `killed ${leader}, the leader of ${named(target)}`);
        const deadline = at + ELECTION_TIMEOUT_MS;
        let next: string | undefined;
        while (Date.now() < deadline) {
          next = await leaderOf(stack, target);
          if (next && next !== leader) break;
          await sleep(250);
        }
        elections.push(next && next !== leader ? Date.now() - at : Number.NaN);
        say(NAME, `${named(target)} leader now ${next ?? "none"}`);
        killedAt.push(at);
        await sleep(size.downMs);
        await node.restart();
        say(NAME, `${leader} restarted`);
      }
      await sleep(5_000);
      trickle.abort();
      await paced;
      const all = [...stack.submitter.acked.keys()];
      say(NAME, `faults over (${all.length} submissions); waiting for every job to end`);
      await waitForJobs(stack.ledger, all, size.settleMs, NAME);
      reportJobs(r, auditJobs(stack.ledger, all), { noFailures: true });
      r.info("leader nodes killed", size.targets.length);
      r.zero("streams or consumers left without a leader", elections.filter((e) => Number.isNaN(e)).length);
      r.times("new leader", elections.filter(Number.isFinite));
      const decided = killedAt.map((t) => (stack.ledger.orchestratorAfter(t) ?? Number.NaN) - t);
      r.times("decide again after leader loss", decided.filter(Number.isFinite));
      r.zero("actors that exited", stack.actors.filter((x) => x.gone).length);
    }),
};
