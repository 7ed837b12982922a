// The job document's shape (collection jobs), apart from its fold so the fold context can name it.
import type { EventOf } from "../../core/events/index.ts";
import type { TaskStatus } from "../../core/lifecycle/index.ts";
import type { TokenTotals } from "../usage.ts";

export type JobStatus = "submitted" | "running" | "completed" | "cancelled" | "rejected";
export type IterationOutcome = EventOf<"job.iteration_ended">["data"]["outcome"];
export type IterationEnd = { iteration: number; outcome: IterationOutcome; best_task_id: string | null };

export type QualityAverages = {
  critiques: number;
  compliance: number;
  uniqueness: number;
  quality: number;
  /** Running sums the averages come from. */
  sums: { compliance: number; uniqueness: number; quality: number };
};

export type JobDoc = {
  _key: string;
  seq: number;
  job_id: string;
  status: JobStatus;
  spec: string | null;
  spec_key: string | null;
  /** Iterations asked for; null when infinite. */
  count: number | null;
  infinite: boolean;
  model: string | null;
  budget_usd: number | null;
  priority: number;
  source: string | null;
  max_iterations: number | null;
  waves: number;
  iterations_planned: number;
  iterations: Record<IterationOutcome, number>;
  /** Ended iterations in order, each with the version to use. */
  best_tasks: IterationEnd[];
  /** Tasks of the job per current status. */
  progress: Record<TaskStatus, number>;
  tasks_total: number;
  cost_usd: number;
  usage: TokenTotals;
  budget_exceeded: boolean;
  quality: QualityAverages;
  /** Why it completed, was cancelled or rejected. */
  reason: string | null;
  created_at: string;
  accepted_at: string | null;
  finished_at: string | null;
  updated_at: string;
};
