// The promise under test, counted from the stream: every acknowledged submission ends, exactly once.
import { setTimeout as sleep } from "node:timers/promises";
import type { ScenarioReport } from "./figures.ts";
import { type Ledger, pidOfWorker, type TaskFacts } from "./ledger.ts";
import { say } from "./say.ts";

/** Poll the stream until every job has ended or `deadlineMs` has passed; how long it took (ms). */
export async function waitForJobs(
  ledger: Ledger,
  jobIds: readonly string[],
  deadlineMs: number,
  label: string,
): Promise<number> {
  const t0 = Date.now();
  let lastSay = t0;
  for (;;) {
    await ledger.refresh();
    const open = jobIds.filter((id) => !ledger.ended(id)).length;
    if (open === 0) return Date.now() - t0;
    if (Date.now() - t0 > deadlineMs) {
      say(
        label,
        `${open} of ${jobIds.length} jobs still open after ${Math.round(deadlineMs / 1000)} s: stuck`,
      );
      return Date.now() - t0;
    }
    if (Date.now() - lastSay > 15_000) {
      lastSay = Date.now();
      say(label, `waiting: ${jobIds.length - open}/${jobIds.length} jobs ended`);
    }
    await sleep(1000);
  }
}

export type JobAudit = {
  submitted: number;
  completed: number;
  lost: number;
  twice: number;
  stuck: number;
  failedTasks: number;
  deadLettered: number;
  /** A few open jobs and what their tasks last did, to explain `stuck`. */
  stuckSamples: string[];
  /** The distinct reasons tasks failed (a few), to explain `failed tasks`. */
  failureSamples: string[];
  /** A few tasks or jobs that completed twice, with their runs, to explain `completed twice`. */
  twiceSamples: string[];
};

/**
 * The audit of a scenario's jobs (after waitForJobs):
 * - submitted: acknowledged by the server (the promise was made);
 * - completed: job.completed (or job.cancelled, for jobs a scenario cancels on purpose);
 * - lost: acknowledged but no trace of a job at all (never accepted nor rejected);
 * - stuck: accepted but not ended by the deadline;
 * - completed twice: tasks with two task.completed, plus jobs with two job.completed.
 */
export function auditJobs(ledger: Ledger, jobIds: readonly string[]): JobAudit {
  const ids = new Set(jobIds);
  let completed = 0;
  let lost = 0;
  let stuck = 0;
  let twice = 0;
  const stuckSamples: string[] = [];
  const twiceSamples: string[] = [];
  for (const id of ids) {
    const j = ledger.jobs.get(id);
    if (!j || (!j.accepted && !j.rejected)) {
      lost++;
      continue;
    }
    if (j.completed > 1) {
      twice++;
      if (twiceSamples.length < 3) twiceSamples.push(`job ${id}: ${j.completed} job.completed`);
    }
    if (j.completed > 0 || j.cancelled) completed++;
    else if (!j.rejected) {
      stuck++;
      if (stuckSamples.length < 3) stuckSamples.push(describeJob(ledger, id));
    }
  }
  let failedTasks = 0;
  let deadLettered = 0;
  const failures = new Map<string, number>();
  for (const [id, t] of ledger.tasks) {
    if (!ids.has(t.job)) continue;
    if (t.completed > 1) {
      twice++;
      if (twiceSamples.length < 3) twiceSamples.push(describeTwice(id, t));
    }
    failedTasks += t.failed;
    deadLettered += t.deadLettered;
    for (const f of t.failures) failures.set(f, (failures.get(f) ?? 0) + 1);
  }
  const failureSamples = [...failures]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([f, n]) => `${n}× ${f}`);
  return {
    submitted: ids.size,
    completed,
    lost,
    twice,
    stuck,
    failedTasks,
    deadLettered,
    stuckSamples,
    failureSamples,
    twiceSamples,
  };
}

/** A task completed twice: each completion (seq, attempt) and each start (worker pid, attempt). */
function describeTwice(id: string, t: TaskFacts): string {
  const done = t.completions.map((c) => `seq ${c.seq} attempt ${c.attempt}`).join(", ");
  const runs = t.starts
    .map((s) => `pid ${pidOfWorker(s.worker)} attempt ${s.attempt}${s.reclaimed ? " reclaimed" : ""}`)
    .join(", ");
  return `task ${id}: completed at ${done}; started by ${runs}`;
}

/** A job's tasks and how far each got, for a note. */
function describeJob(ledger: Ledger, jobId: string): string {
  const parts: string[] = [];
  for (const [id, t] of ledger.tasks) {
    if (t.job !== jobId) continue;
    const state = t.completed
      ? "completed"
      : t.deadLettered
        ? "dead-lettered"
        : `${t.starts.length} starts, ${t.failed} failed`;
    parts.push(`${id.slice(jobId.length + 1)}: ${state}`);
  }
  return `${jobId} (${parts.join(", ") || "no tasks"})`;
}

/** Add the audit's figures: lost, twice and stuck must be 0; failed tasks must be 0 when `noFailures`. */
export function reportJobs(r: ScenarioReport, a: JobAudit, o: { noFailures?: boolean } = {}): void {
  r.info("submitted", a.submitted);
  r.info("completed", a.completed);
  r.zero("lost", a.lost);
  r.zero("completed twice", a.twice);
  r.zero("stuck", a.stuck);
  // These agents never fail: a failed task is the system's own doing (an output thrown away).
  if (o.noFailures) r.zero("failed tasks", a.failedTasks);
  else r.info("failed tasks", a.failedTasks);
  r.info("dead-lettered tasks", a.deadLettered);
  for (const s of a.stuckSamples) r.note(`stuck: ${s}`);
  for (const f of a.failureSamples) r.note(`task failed: ${f}`);
  for (const t of a.twiceSamples) r.note(`completed twice: ${t}`);
}
