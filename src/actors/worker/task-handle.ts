// The handle of one running task: appends at its known sequence and notices cancels and takeovers.
// A class, not an object of closures: a worker holds one per running task for as long as the agent
// runs (up to its concurrency, 1,000), and methods on the prototype cost nothing per task.
import { ConcurrencyError } from "../../core/errors.ts";
import { type AgentEvent, type EventContext, Subjects } from "../../core/events/index.ts";
import type { TaskState } from "../../core/lifecycle/index.ts";
import type { Delivery } from "../../core/ports/delivery.ts";
import type { RunnerDeps, RunProgress, StopReason, TaskHandle } from "./runner-types.ts";

/** What the worker's shared heartbeat needs of a running task (see heartbeat.ts). */
export type Beat = {
  /** The task's work message: told it is still being worked on. */
  readonly delivery: Pick<Delivery<unknown>, "working">;
  /** When the run started and when its progress was last recorded (ms since the epoch). */
  readonly startedAt: number;
  lastProgressAt: number;
};

class RunningTask implements TaskHandle {
  readonly abort = new AbortController();
  stopReason: StopReason | undefined = undefined;
  progress: RunProgress | undefined = undefined;
  /** Set while the worker's heartbeat covers the task (between its claim and its outcome). */
  beat: Beat | undefined = undefined;
  private chain: Promise<void> = Promise.resolve();
  private ended = false;

  constructor(
    private readonly deps: RunnerDeps,
    public task: TaskState,
    readonly attempt: number,
  ) {}

  meta(): EventContext {
    const { job_id, task_id } = this.task;
    return { job_id, task_id, correlation_id: job_id, now: Date.now() };
  }

  onProgress(p: RunProgress): void {
    this.progress = p;
  }

  append(event: AgentEvent): Promise<boolean> {
    if (event.type === "task.progress" && this.ended) return Promise.resolve(false);
    if (event.type !== "task.progress") this.ended = true;
    const next = this.chain.then(() => this.appendNow(event));
    this.chain = next.then(ignore, ignore);
    return next;
  }

  settled(): Promise<void> {
    return this.chain;
  }

  private async appendNow(event: AgentEvent): Promise<boolean> {
    if (event.type === "task.progress" && this.stopReason) return false;
    const { deps } = this;
    const subject = Subjects.task(this.task.task_id);
    for (let tries = 0; tries < 3; tries++) {
      try {
        const ack = await deps.events.append(subject, event, { expectedSeq: this.task.seq });
        this.task = { ...this.task, seq: ack.seq };
        return true;
      } catch (err) {
        if (!(err instanceof ConcurrencyError)) throw err;
        const last = await deps.events.lastEvent(subject);
        if (!last) throw err;
        const e = last.event;
        if (e.type === "task.started" && e.data.worker_id !== deps.workerId) {
          stop(this, "lost");
          return false;
        }
        if (e.type === "task.cancel_requested") stop(this, "cancel");
        // Anything final (cancelled by the orchestrator, say) means there is nothing left to record.
        if (e.type === "task.cancelled" || e.type === "task.completed" || e.type === "task.dead_lettered") {
          stop(this, "lost");
          return false;
        }
        this.task = { ...this.task, seq: last.seq };
        if (event.type === "task.progress") return false;
      }
    }
    return false;
  }
}

function ignore(): undefined {
  return undefined;
}

/** The handle of a running task, with what the worker's heartbeat needs of it. */
export type RunningHandle = TaskHandle & { beat: Beat | undefined };

/** Create the handle for a task this worker just started (its task.started is at `task.seq`). */
export function createHandle(deps: RunnerDeps, task: TaskState, attempt: number): RunningHandle {
  return new RunningTask(deps, task, attempt);
}

/** Stop a running agent from outside; the first reason wins. */
export function stop(h: TaskHandle, reason: StopReason): void {
  if (h.stopReason) return;
  h.stopReason = reason;
  h.abort.abort(new Error(`task ${reason}`));
}
