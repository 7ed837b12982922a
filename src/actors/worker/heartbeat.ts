// One heartbeat for all of a worker's running tasks: every beat tells the server each task's work
// message is still worked on (so its ack wait starts again), and records a task.progress for those
// whose last one is older than the progress interval. One timer for the worker, not one per task:
// a worker may hold 1,000 running tasks, and a timer, its closure and its scope per task add up.
import { newEvent } from "../../core/events/index.ts";
import type { Logger } from "../../core/ports/logger.ts";
import { progressData } from "../../core/worker/outcome.ts";
import type { RunningHandle } from "./task-handle.ts";

export type HeartbeatOptions = {
  /** Ack wait of the work consumers (ms): a beat goes out at least three times within it. */
  ackWaitMs: number;
  /** ms between task.progress events of a running task. */
  progressEveryMs: number;
  log: Logger;
};

/** How often the heartbeat beats: a third of the ack wait, or the progress interval if shorter (≥ 100 ms). */
export function beatEveryMs(o: { ackWaitMs: number; progressEveryMs: number }): number {
  return Math.max(Math.min(o.ackWaitMs / 3, o.progressEveryMs), 100);
}

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly running: ReadonlyMap<string, RunningHandle>,
    private readonly o: HeartbeatOptions,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.beat(), beatEveryMs(this.o));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Extend every running task's message, and record progress where it is due. */
  beat(now = Date.now()): void {
    for (const h of this.running.values()) {
      const b = h.beat;
      if (!b) continue;
      b.delivery.working();
      if (now - b.lastProgressAt < this.o.progressEveryMs) continue;
      b.lastProgressAt = now;
      h.append(newEvent("task.progress", progressData(now - b.startedAt, h.progress), h.meta())).catch(
        (err: unknown) =>
          this.o.log.warn({ err: String(err), task_id: h.task.task_id }, "progress not recorded"),
      );
    }
  }
}
