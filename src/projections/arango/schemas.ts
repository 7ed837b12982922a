// Collection schema rules (JSON Schema, level "moderate") and the persistent indexes the queries use.
import { QueueName, TaskType } from "../../core/events/index.ts";
import { TaskStatus } from "../../core/lifecycle/index.ts";
import type { CollectionName } from "../store.ts";

export const CHECKPOINTS = "checkpoints";
export const MIGRATIONS_COLLECTION = "migrations";

const str = { type: "string" };
const optStr = { type: ["string", "null"] };
const int = { type: "integer" };
const seq = { type: "integer", minimum: 0 };
const money = { type: "number", minimum: 0 };
const score = { type: "integer", minimum: 1, maximum: 10 };
const statuses = { enum: Object.values(TaskStatus) };
const usage = {
  type: "object",
  properties: {
    input_tokens: { type: "integer", minimum: 0 },
    output_tokens: { type: "integer", minimum: 0 },
  },
  required: ["input_tokens", "output_tokens"],
};

const task = {
  type: "object",
  properties: {
    seq,
    task_id: str,
    job_id: str,
    queue: { enum: QueueName.options },
    type: { enum: TaskType.options },
    status: statuses,
    iteration: { type: "integer", minimum: 1 },
    priority: int,
    attempts: { type: "integer", minimum: 0 },
    model: str,
    created_at: str,
    finished_at: optStr,
    usage,
    cost_usd: money,
    output_ref: optStr,
    last_error: optStr,
  },
  required: ["seq", "task_id", "job_id", "queue", "type", "status", "iteration", "priority", "created_at"],
};

/** One rule per collection: the fields queries rely on, typed; other fields are free. */
export const SCHEMA_RULES: Record<CollectionName, object> = {
  tasks_standard: task,
  tasks_heavy: task,
  tasks_critic: task,
  jobs: {
    type: "object",
    properties: {
      seq,
      job_id: str,
      status: { enum: ["submitted", "running", "completed", "cancelled", "rejected"] },
      spec_key: optStr,
      count: { type: ["integer", "null"], minimum: 1 },
      infinite: { type: "boolean" },
      cost_usd: money,
      budget_usd: { type: ["number", "null"] },
      progress: { type: "object", additionalProperties: { type: "integer" } },
      created_at: str,
    },
    required: ["seq", "job_id", "status", "progress", "cost_usd", "created_at"],
  },
  quality_history: {
    type: "object",
    properties: {
      seq,
      job_id: optStr,
      spec_key: optStr,
      iteration: { type: "integer", minimum: 1 },
      task_id: str,
      model: str,
      compliance: score,
      uniqueness: score,
      quality: score,
      critique: str,
      occurred_at: str,
    },
    required: ["seq", "task_id", "model", "compliance", "uniqueness", "quality", "occurred_at"],
  },
  model_costs: {
    type: "object",
    properties: { seq, model: str, runs: { type: "integer", minimum: 0 }, cost_usd: money },
    required: ["seq", "model", "runs", "cost_usd"],
  },
  queue_summary: {
    type: "object",
    properties: { seq, queue: { enum: QueueName.options }, status: statuses, count: int },
    required: ["seq", "queue", "status", "count"],
  },
  rejections: {
    type: "object",
    properties: { seq, kind: { enum: ["message", "submission"] }, subject: str, reason: str },
    required: ["seq", "kind", "subject", "reason"],
  },
  system_state: {
    type: "object",
    properties: { seq, stopped: { type: "boolean" }, stopped_since: optStr, paused: { type: "object" } },
    required: ["seq", "stopped", "paused"],
  },
  run_costs: {
    type: "object",
    properties: {
      seq,
      task_id: str,
      job_id: optStr,
      spec_key: optStr,
      model: str,
      outcome: { enum: ["completed", "handoff", "failed", "validation_failed"] },
      cost_usd: money,
      input_tokens: { type: "integer", minimum: 0 },
      output_tokens: { type: "integer", minimum: 0 },
      occurred_at: str,
    },
    required: ["seq", "task_id", "model", "outcome", "cost_usd", "occurred_at"],
  },
};

const taskIndexes = [
  ["status", "priority", "created_at"],
  ["job_id", "status"],
  ["priority", "created_at"],
  ["job_id", "iteration"],
];

/** Persistent indexes per collection (fields in order), serving the queries' filters and sorts. */
export const INDEXES: Partial<Record<CollectionName, string[][]>> = {
  tasks_standard: taskIndexes,
  tasks_heavy: taskIndexes,
  tasks_critic: taskIndexes,
  jobs: [["status"], ["spec_key"], ["created_at"], ["created_at", "job_id"]],
  quality_history: [
    ["occurred_at", "seq"],
    ["spec_key", "occurred_at"],
    ["job_id", "occurred_at"],
    ["model", "occurred_at"],
  ],
  rejections: [["seq"]],
  run_costs: [["occurred_at"], ["job_id", "occurred_at"]],
};

/** What migration 4 added for the dashboard: collections, and indexes on collections that existed. */
export const DASHBOARD_COLLECTIONS: readonly CollectionName[] = ["system_state", "run_costs"];
export const DASHBOARD_INDEXES: Partial<Record<CollectionName, string[][]>> = {
  tasks_standard: [["job_id", "iteration"]],
  tasks_heavy: [["job_id", "iteration"]],
  tasks_critic: [["job_id", "iteration"]],
  jobs: [["created_at", "job_id"]],
  run_costs: INDEXES.run_costs ?? [],
};
