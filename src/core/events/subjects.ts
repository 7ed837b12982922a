// Subjects, stream and bucket names: the wire layout in one place.
import type { Band, QueueName } from "./catalogue/index.ts";

export const STREAM_EVENTS = "AGENTS";
export const STREAM_WORK = "AGENTS_WORK";
export const OUTPUTS_BUCKET = "agents-outputs";
/** KV bucket of leader leases (one key per lease, e.g. "orchestrator"). */
export const LEASES_BUCKET = "agents-leases";

export const Subjects = {
  /** Every subject of the AGENTS stream. */
  all: "agents.>",
  /** Where any service publishes a plain-JSON submission. */
  submit: "agents.submit",
  job: (jobId: string) => `agents.job.${jobId}`,
  jobs: "agents.job.*",
  task: (taskId: string) => `agents.task.${taskId}`,
  tasks: "agents.task.*",
  /** Recorded system events (stopped, resumed, queue paused, message rejected). */
  system: "agents.system",
  control: "agents.control.>",
  controlStop: "agents.control.stop",
  controlResume: "agents.control.resume",
  controlCancel: "agents.control.cancel",
  controlPause: "agents.control.pause",
  controlUnpause: "agents.control.unpause",
  /** Work dispatch: one subject per (queue, band) in the work-queue stream. */
  work: (queue: QueueName, band: Band) => `agents.work.${queue}.${band}`,
  workAll: "agents.work.>",
} as const;

/** NATS header naming who published a submission: gateway, cli or (absent) any NATS client. */
export const SOURCE_HEADER = "Agents-Source";

/** Durable consumer name of the work stream for one (queue, band). */
export function workConsumerName(queue: QueueName, band: Band): string {
  return `work-${queue}-${band}`;
}

/** The task or job id carried in the last token of an `agents.task.*` / `agents.job.*` subject. */
export function idFromSubject(subject: string): string | undefined {
  const parts = subject.split(".");
  return parts.length === 3 ? parts[2] : undefined;
}
