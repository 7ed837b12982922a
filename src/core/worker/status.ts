// What a worker publishes about itself (the `agents-workers` KV bucket, one key per worker, expiring
// when the worker stops refreshing it): its queues, its executors' credentials, usage-limit holds
// and the latest rate-limit information per model. /health, `agents status` and the metrics read it.
import { z } from "zod";
import { QueueName } from "../events/catalogue/shared.ts";
import { RateLimitInfo } from "../providers/rate-limits.ts";
import { Route } from "../providers/routes.ts";

export const AuthState = z.enum(["ok", "failed", "unknown"]);
export type AuthState = z.infer<typeof AuthState>;

/** One executor's health as a worker sees it. */
export const ExecutorHealth = z.object({
  auth: z.object({
    state: AuthState,
    /** What was found (never a secret). */
    detail: z.string().max(1000),
    checked_at: z.iso.datetime(),
    method: z.string().max(100).optional(),
    expires_at: z.string().max(40).nullable().optional(),
    /** Changes with the credentials (not the secret); see AuthProbe. */
    fingerprint: z.string().max(1000).optional(),
    /** The fingerprint of the credentials a run was refused with. */
    refused_fingerprint: z.string().max(1000).optional(),
  }),
  /** No work is taken for this executor until then (a usage limit of the whole subscription). */
  held_until: z.iso.datetime().optional(),
  hold_reason: z.string().max(500).optional(),
});
export type ExecutorHealth = z.infer<typeof ExecutorHealth>;

export const ExecutorStatus = ExecutorHealth.extend({
  route: Route,
  /** The executor serving the route (echo serves every route when offline). */
  executor: z.string().max(100),
  /** Whether the worker takes this route's work now. */
  available: z.boolean(),
  /** The latest limits the provider reported, per model. */
  limits: z.record(z.string().max(200), RateLimitInfo).optional(),
});
export type ExecutorStatus = z.infer<typeof ExecutorStatus>;

export const WorkerStatus = z.object({
  worker_id: z.string().max(200),
  host: z.string().max(200),
  pid: z.number().int(),
  started_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  queues: z.array(QueueName),
  concurrency: z.number().int().positive(),
  running: z.number().int().nonnegative(),
  /** An emergency stop is in force. */
  stopped: z.boolean(),
  executors: z.array(ExecutorStatus),
});
export type WorkerStatus = z.infer<typeof WorkerStatus>;

/** The KV key of a worker (KV keys allow letters, digits and `-_=.`). */
export function workerStatusKey(workerId: string): string {
  return workerId.replace(/[^A-Za-z0-9_=.-]/g, "_").slice(0, 200) || "worker";
}
