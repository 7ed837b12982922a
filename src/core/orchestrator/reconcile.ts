// The reconciler's rules: find work that is stuck (a decision or a dispatch that never happened)
// and say how to repair it. Pure: the shell gives it the state, the time and how many work messages
// each lane holds, runs the repairs, and reads from the stream what a repair needs to decide again.
import { type AgentEvent, Subjects } from "../events/index.ts";
import { type TaskState, TaskStatus } from "../lifecycle/index.ts";
import type { StoredEvent } from "../ports/event-store.ts";
import type { Command, DecideContext } from "./commands.ts";
import { decideProgress, endIteration } from "./decide-job.ts";
import { isStopped, type JobState, type OrchestratorState, openIterations } from "./state.ts";
import { workItemFor } from "./tasks.ts";

export type ReconcileInput = {
  now: number;
  /** Only what has not changed for this long (ms) is repaired: a decision in flight is never raced. */
  afterMs: number;
  /** Work messages stored per lane subject (`agents.work.<queue>.<band>`). */
  laneMessages: ReadonlyMap<string, number>;
};

export type Repair =
  /** A queued (or interrupted) task on a lane holding fewer messages than it should: dispatch it again. */
  | { kind: "redispatch"; task_id: string; command: Command }
  /** A failed task with no retry or dead letter after it: decide again on its last event. */
  | { kind: "redecide_task"; task_id: string }
  /** An open job with no live task that neither planned nor completed: decide again on its latest events. */
  | { kind: "redecide_job"; job_id: string };

/** Statuses whose work message is in the work stream (queued, put back, or being worked on). */
const HOLDS_MESSAGE: ReadonlySet<string> = new Set([
  TaskStatus.Queued,
  TaskStatus.Interrupted,
  TaskStatus.Running,
  TaskStatus.CancelRequested,
]);

/** What is stuck, and the repair for each. While stopped nothing is: everything waits on purpose. */
export function findRepairs(state: OrchestratorState, r: ReconcileInput): Repair[] {
  if (isStopped(state)) return [];
  const stale = (updatedAt: number) => r.now - updatedAt >= r.afterMs;
  const tasks = [...state.tasks.values()];
  const expected = new Map<string, number>();
  for (const t of tasks) {
    if (!HOLDS_MESSAGE.has(t.status)) continue;
    const lane = laneOf(t);
    expected.set(lane, (expected.get(lane) ?? 0) + 1);
  }
  const short = new Set(
    [...expected].filter(([lane, n]) => (r.laneMessages.get(lane) ?? 0) < n).map(([lane]) => lane),
  );
  const repairs: Repair[] = [];
  for (const t of tasks) {
    const old = stale(Date.parse(t.updated_at));
    if (!old) continue;
    if ((t.status === TaskStatus.Queued || t.status === TaskStatus.Interrupted) && short.has(laneOf(t))) {
      // Its own msgID: the original dispatch's (task:attempt) would swallow it for the dedup window.
      const dedup = `${t.task_id}:${Math.max(t.attempt, 1)}:repair:${t.seq}`;
      repairs.push({
        kind: "redispatch",
        task_id: t.task_id,
        command: { kind: "dispatch", item: workItemFor(t), dedup },
      });
    }
    if (t.status === TaskStatus.Failed) repairs.push({ kind: "redecide_task", task_id: t.task_id });
  }
  for (const j of state.jobs.values())
    if (j.status === "active" && j.live_tasks === 0 && stale(j.updated_at))
      repairs.push({ kind: "redecide_job", job_id: j.job_id });
  return repairs;
}

function laneOf(t: TaskState): string {
  return Subjects.work(t.created.queue, t.created.band);
}

/**
 * The stored events to decide again for a stalled job: per open iteration, the latest event that
 * moves its chain on (a task's last event, or a critique), never a critic's own completion (its
 * critique decides) nor anything older (deciding an older event again could create a task twice);
 * with no open iteration, the job subject's last event (accepted, an iteration end: plan or complete).
 */
export function eventsToRedecide(
  job: JobState,
  state: OrchestratorState,
  jobEvents: readonly StoredEvent[],
  lastOfTask: ReadonlyMap<string, StoredEvent>,
): StoredEvent[] {
  const open = openIterations(job);
  if (open.length === 0) {
    const last = jobEvents.at(-1);
    return last ? [last] : [];
  }
  return open.flatMap((it) => {
    const candidates: StoredEvent[] = jobEvents.filter(
      (e) => e.event.type === "critique.recorded" && e.event.data.iteration === it.n,
    );
    for (const id of job.task_ids) {
      const task = state.tasks.get(id);
      const last = lastOfTask.get(id);
      if (!task || !last || task.created.iteration !== it.n) continue;
      if (task.created.task_type === "critic" && last.event.type === "task.completed") continue;
      candidates.push(last);
    }
    const latest = candidates.reduce<StoredEvent | undefined>(
      (a, b) => (a && a.seq > b.seq ? a : b),
      undefined,
    );
    return latest ? [latest] : [];
  });
}

/** The tasks of a job's open iterations (whose last events a stalled job is decided on again). */
export function tasksOfOpenIterations(job: JobState, state: OrchestratorState): string[] {
  const open = new Set(openIterations(job).map((it) => it.n));
  return [...job.task_ids].filter((id) => {
    const t = state.tasks.get(id);
    return t !== undefined && open.has(t.created.iteration);
  });
}

/**
 * When deciding again moved nothing: every open iteration of a stalled job ends failed (no task is
 * left to finish it), then the job plans or completes as usual.
 */
export function closeStalled(job: JobState, state: OrchestratorState, ctx: DecideContext): Command[] {
  const open = openIterations(job);
  if (open.length === 0) return decideProgress(job, `reconcile:${job.job_id}`, ctx, isStopped(state));
  return open.map((it) =>
    endIteration(
      job,
      it.n,
      "failed",
      `reconcile:${job.job_id}`,
      ctx,
      undefined,
      "stalled: no task left to finish it",
    ),
  );
}

/** What to do after an append lost its expected-sequence race and the subject was read again. */
export type LostRace =
  /** Events we had not seen were applied (and decided): decide the input again. */
  | { kind: "redecide" }
  /** Only messages that are not events followed: the decision stands, at the subject's real sequence. */
  | { kind: "retry"; expectedSeq: number }
  /** A create (expected sequence 0) whose subject already holds events: it exists, nothing to do. */
  | { kind: "exists" };

export function afterLostRace(
  c: { expectedSeq?: number | undefined },
  read: { fresh: number; found: number; last: number },
): LostRace {
  if (read.fresh > 0) return { kind: "redecide" };
  if (read.found > 0) return c.expectedSeq === 0 ? { kind: "exists" } : { kind: "redecide" };
  return { kind: "retry", expectedSeq: read.last };
}

/** The subject's real last sequence, so the next append about a task expects it (garbage included). */
export function noteSubjectSeq(state: OrchestratorState, subject: string, seq: number): void {
  const id = subject.startsWith("agents.task.") ? subject.slice("agents.task.".length) : undefined;
  const task = id ? state.tasks.get(id) : undefined;
  if (task && seq > task.seq) state.tasks.set(task.task_id, { ...task, seq });
}

/** The decision input for a stored event, as if it had just been consumed. */
export function eventInput(e: { seq: number; event: AgentEvent }) {
  return { kind: "event" as const, seq: e.seq, event: e.event };
}
