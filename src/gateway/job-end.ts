// When a job's SSE stream ends: once the job has its final event (completed, cancelled, rejected)
// AND every task it made has ended. A cancel is recorded on the job first and its running tasks end
// after (a worker stops the agent, then records task.cancelled), so closing at job.cancelled would
// cut those off. Folded from the job's events, so it holds for a client resuming mid-way too.
import type { AgentEvent } from "../core/events/index.ts";
import { isFinal, isTaskEventType, statusAfter } from "../core/lifecycle/index.ts";

/** How a job ended, as the stream's final `end` frame tells it. */
export type JobEnd = {
  job_id: string;
  status: "completed" | "cancelled" | "rejected";
  /** The job.completed or job.cancelled reason; for a rejection, the first field it names. */
  reason: string;
  /** Stream sequence of the job's final event. */
  final_seq: number;
};

type JobEvent = Extract<AgentEvent, { type: `job.${string}` }>;

function isJobEvent(e: AgentEvent): e is JobEvent {
  return e.type.startsWith("job.");
}

/** Follows one job's events; `ended` says how it ended once nothing of it is still open. */
export class JobEndTracker {
  private end: JobEnd | undefined;
  private readonly open = new Set<string>();

  constructor(private readonly jobId: string) {}

  /** Apply one of the job's events (its own or its tasks'). */
  observe(e: AgentEvent, seq: number): void {
    if (isTaskEventType(e.type) && e.task_id) {
      if (isFinal(statusAfter(e.type))) this.open.delete(e.task_id);
      else this.open.add(e.task_id);
      return;
    }
    if (e.job_id !== this.jobId || !isJobEvent(e)) return;
    switch (e.type) {
      case "job.completed":
        this.end = { job_id: this.jobId, status: "completed", reason: e.data.reason, final_seq: seq };
        return;
      case "job.cancelled":
        this.end = { job_id: this.jobId, status: "cancelled", reason: e.data.reason, final_seq: seq };
        return;
      case "job.rejected": {
        // The first field the submission got wrong, as the 400 of a REST submission names it.
        const [first] = e.data.reasons;
        const reason = first ? `${first.path}: ${first.message}` : "rejected";
        this.end = { job_id: this.jobId, status: "rejected", reason, final_seq: seq };
        return;
      }
      // What follows a final event without undoing it: the open iterations a cancel ends.
      case "job.iteration_ended":
      case "job.budget_exceeded":
        return;
      // Anything that plans or starts work means the job runs (again); a retry re-opens it.
      case "job.reopened":
      case "job.submitted":
      case "job.accepted":
      case "job.wave_planned":
        this.end = undefined;
        return;
      default: {
        const never: never = e;
        throw new Error(`unhandled job event ${(never as AgentEvent).type}`);
      }
    }
  }

  /** How the job ended, or undefined while it (or one of its tasks) is still open. */
  get ended(): JobEnd | undefined {
    return this.end && this.open.size === 0 ? this.end : undefined;
  }
}
