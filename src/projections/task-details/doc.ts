// The task document's shape (collections tasks_*), apart from its fold so the fold context can name it.
import type {
  ArtifactEntry,
  Band,
  PermissionDenial,
  QueueName,
  TaskType,
  TaskWaiting,
} from "../../core/events/index.ts";
import type { TaskStatus } from "../../core/lifecycle/index.ts";
import type { TokenTotals } from "../usage.ts";

export type TaskDoc = {
  _key: string;
  /** Stream sequence of the last event applied to this document. */
  seq: number;
  task_id: string;
  job_id: string;
  queue: QueueName;
  type: TaskType;
  status: TaskStatus;
  iteration: number;
  round: number;
  priority: number;
  band: Band;
  /** Attempts started so far. */
  attempts: number;
  parent_task_id: string | null;
  root_task_id: string | null;
  target_task_id: string | null;
  model: string;
  worker_id: string | null;
  executor: string | null;
  session_id: string | null;
  created_at: string;
  /** Time of the latest queueing (first attempt or a retry). */
  queued_at: string | null;
  /** Time the latest attempt started. */
  started_at: string | null;
  /** Time the task reached a final status. */
  finished_at: string | null;
  updated_at: string;
  duration_ms: number | null;
  /** Tokens and cost summed over every attempt. */
  usage: TokenTotals;
  cost_usd: number;
  output_ref: string | null;
  /** The output itself when it travelled inline in its event (nothing is stored under output_ref). */
  output_inline?: string;
  output_bytes: number | null;
  last_error: string | null;
  cancel_reason: string | null;
  /** Files the agent wrote, kept in the object store (the latest run's). */
  artifacts?: ArtifactEntry[];
  /** Files left out of `artifacts` (over the bounds). */
  artifacts_skipped?: number;
  /** Tool calls the agent was refused (the latest run's). */
  permission_denials?: PermissionDenial[];
  /** Waiting for a usage limit to reset, not using an attempt (cleared when it starts again). */
  waiting_until?: string | null;
  /** Some run's cost is not known (its model has no price): cost_usd leaves it out. */
  unpriced?: boolean;
  /** Events applied to this task. */
  events: number;
  /** What the task waits for (its model's limits or day budget, a 429), and since when; null when not waiting. */
  waiting: (TaskWaiting & { since: string }) | null;
};
