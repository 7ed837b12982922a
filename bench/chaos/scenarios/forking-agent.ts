// Agents that start a child of their own (`sleep 40`, as a shell's background job would) and then
// hang. When their worker is SIGKILLed, nothing of theirs may keep running: not the agent, not its
// child. The hanging jobs are cancelled afterwards and must end.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Subjects } from "../../../src/core/events/index.ts";
import { alive } from "../../../test/support/processes.ts";
import { auditJobs, reportJobs, waitForJobs } from "../audit.ts";
import { say } from "../say.ts";
import { onStack, type Scenario, sized } from "../scenario.ts";
import type { ChaosStack } from "../stack.ts";

const NAME = "forking-agent";
const SIZES = { full: { jobs: 4 }, quick: { jobs: 2 } };
/** How long after the kill the agents' processes get to die (the kernel and the watchdog act at once). */
const DIE_WITHIN_MS = 15_000;

/** The "agentPid childPid" lines the agents wrote so far. */
async function forks(stack: ChaosStack): Promise<Array<{ agent: number; child: number }>> {
  const text = await readFile(join(stack.stateDir, "forked"), "utf8").catch(() => "");
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const [agent, child] = l.split(" ").map(Number);
      return { agent: agent ?? -1, child: child ?? -1 };
    });
}

/** The parent pid of a process (Linux /proc), or -1. */
async function parentOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  return Number(/^PPid:\s+(\d+)$/m.exec(status)?.[1] ?? -1);
}

export const forkingAgent: Scenario = {
  name: NAME,
  what: "agents that fork a child and hang; their worker is SIGKILLed; nothing of theirs may survive",
  run: (o) =>
    onStack(NAME, o, {}, async (stack, r) => {
      if (process.platform !== "linux") throw new Error("reads /proc: Linux only");
      const size = sized(o, SIZES);
      const [, victim] = await Promise.all([stack.start("orchestrator"), stack.start("worker")]);
      const jobs = await stack.submitter.burst(size.jobs, (i) => ({
        spec: `Forking agent ${i}.\nCHAOS: fork 40\nCHAOS: hang`,
      }));
      const deadline = Date.now() + 60_000;
      let seen = await forks(stack);
      while (seen.length < size.jobs && Date.now() < deadline) {
        await sleep(250);
        seen = await forks(stack);
      }
      r.atLeast("agents that forked", seen.length, size.jobs);
      const ours = [];
      for (const f of seen) if ((await parentOf(f.agent)) === victim.pid) ours.push(f);
      say(NAME, `${ours.length} forking agents under ${victim.name}; SIGKILL`);
      await victim.kill("SIGKILL");
      const pids = ours.flatMap((f) => [f.agent, f.child]);
      const until = Date.now() + DIE_WITHIN_MS;
      while (pids.some(alive) && Date.now() < until) await sleep(250);
      const survivors = ours.filter((f) => alive(f.child)).length;
      r.zero(`agent children alive ${DIE_WITHIN_MS / 1000} s after the worker's SIGKILL`, survivors);
      r.zero("agents alive after the worker's SIGKILL", ours.filter((f) => alive(f.agent)).length);
      for (const p of pids) if (alive(p)) process.kill(p, "SIGKILL");
      // The hanging jobs are ended by hand: a worker to hear the cancel, then the cancel.
      await stack.start("worker");
      for (const j of jobs)
        await stack.js.publish(
          Subjects.controlCancel,
          JSON.stringify({ job_id: j, reason: "chaos: cancel" }),
        );
      await waitForJobs(stack.ledger, jobs, 90_000, NAME);
      reportJobs(r, auditJobs(stack.ledger, jobs));
    }),
};
