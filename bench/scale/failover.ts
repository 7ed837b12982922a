// Failover under load: 1 worker, a leader and a standby orchestrator; N submissions at once, and
// once a third of them completed the leader is SIGKILLed. Measured: the time from the kill to the
// next job.completed (the standby takes the lease once the dead leader's expires:
// AGENTS_ORCHESTRATOR_LEASE_MS, 15 s by default), and whether every submission completed exactly once.
import { Subjects } from "../../src/core/events/index.ts";
import { jobIdFor } from "../../src/core/ids.ts";
import { runPhase } from "../lifecycle.ts";
import { nowMs } from "../stats.ts";
import { CONFIGS, type ScaleOptions, slotsPerWorker } from "./options.ts";
import { startScaleStack } from "./stack.ts";

const LEADING = "orchestrator state rebuilt; leading";

const since = (from: number | undefined, to: number | undefined) =>
  from !== undefined && to !== undefined ? to - from : Number.NaN;

export type FailoverRun = {
  tasks: number;
  /** Submissions completed when the leader was killed. */
  completedBeforeKill: number;
  /** SIGKILL of the leader → the standby's "orchestrator state rebuilt; leading" line read (ms). */
  killToLeadingMs: number;
  /**
   * SIGKILL of the leader → the first job.completed seen after the standby said it leads (ms):
   * completions seen between the kill and that line were the dead leader's, still in flight.
   */
  killToNextCompletedMs: number;
  /** job.completed events stored for the phase's jobs (N when each completed once). */
  jobCompletedEvents: number;
  /** Whether the standby logged that it leads. */
  standbyLeads: boolean;
  durationMs: number;
};

export async function runFailover(o: ScaleOptions): Promise<FailoverRun> {
  const config = CONFIGS.find((c) => c.id === "w1-standby");
  if (!config) throw new Error("no w1-standby configuration");
  const s = await startScaleStack(config, slotsPerWorker(o, 1), "failover", o.echoDelayMs);
  let failed = true;
  try {
    if (o.warmup > 0) await runPhase(s, { label: "failover-warm", tasks: o.warmup });
    const label = "failover-sat";
    const jobs = new Set(Array.from({ length: o.tasks }, (_, i) => jobIdFor(`${label}-${i}`)));
    const done = new Set<string>();
    let killedAt: number | undefined;
    let completedBeforeKill = 0;
    let leadsAt: number | undefined;
    let nextCompletedAt: number | undefined;
    const sub = s.tap(Subjects.jobs, (e) => {
      if (e.type !== "job.completed" || !e.job_id || !jobs.has(e.job_id)) return;
      done.add(e.job_id);
      if (killedAt === undefined && done.size >= Math.ceil(o.tasks / 3)) {
        killedAt = nowMs();
        completedBeforeKill = done.size;
        void s.leader.kill("SIGKILL");
        void s.standby?.logged(LEADING).then(() => {
          leadsAt = nowMs();
        });
      } else if (leadsAt !== undefined && nextCompletedAt === undefined) nextCompletedAt = e.at;
    });
    const phase = await runPhase(s, { label, tasks: o.tasks });
    sub.unsubscribe();
    failed = false;
    return {
      tasks: o.tasks,
      completedBeforeKill,
      killToLeadingMs: since(killedAt, leadsAt),
      killToNextCompletedMs: since(killedAt, nextCompletedAt),
      jobCompletedEvents: phase.byType["job.completed"] ?? 0,
      standbyLeads: leadsAt !== undefined,
      durationMs: phase.durationMs,
    };
  } finally {
    await s.stop(failed);
  }
}
