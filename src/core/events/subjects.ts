// Subjects, stream and bucket names: the wire layout in one place.
import { Route } from "../providers/routes.ts";
import { Band, QueueName } from "./catalogue/shared.ts";

export const STREAM_EVENTS = "AGENTS";
export const STREAM_WORK = "AGENTS_WORK";
export const OUTPUTS_BUCKET = "agents-outputs";
/**
 * Object store buckets of fold snapshots: the orchestrator's state, and the projections. Two buckets,
 * so each writer may write only its own (a gateway must not be able to plant an orchestrator state).
 */
export const ORCHESTRATOR_SNAPSHOTS_BUCKET = "agents-orchestrator-snapshots";
export const PROJECTION_SNAPSHOTS_BUCKET = "agents-projection-snapshots";
/** KV bucket of leader leases (one key per lease, e.g. "orchestrator"). */
export const LEASES_BUCKET = "agents-leases";
/** KV bucket where each worker publishes its status (one key per worker, expiring unless refreshed). */
export const WORKERS_BUCKET = "agents-workers";
/** KV bucket of the models' shared limit state (one key per limited model; see src/core/limits). */
export const LIMITS_BUCKET = "agents-limits";
/**
 * KV bucket holding the recorded system state (key SYSTEM_KEY): whether an emergency stop is in
 * force and which queues are paused, written by the leading orchestrator after it records the event.
 */
export const SYSTEM_BUCKET = "agents-system";
export const SYSTEM_KEY = "state";
/**
 * Default ack wait of work messages (ms): a dead worker's task is redelivered this long after its
 * last heartbeat (heartbeats go out at a third of it), so within 10 s.
 */
export const DEFAULT_WORK_ACK_WAIT_MS = 8000;

export const Subjects = {
  /** Every subject of the AGENTS stream. */
  all: "agents.>",
  /** Where any service publishes a plain-JSON submission. */
  submit: "agents.submit",
  /**
   * Where a service sends a submission as a NATS request to get its job id back (`nats req`). Not a
   * stream subject: the stream would answer a request on `agents.submit` itself, with no job id.
   */
  submitRequest: "agents.submit.request",
  job: (jobId: string) => `agents.job.${jobId}`,
  jobs: "agents.job.*",
  task: (taskId: string) => `agents.task.${taskId}`,
  tasks: "agents.task.*",
  /** Recorded system events (stopped, resumed, queue paused): the orchestrator's alone. */
  system: "agents.system",
  /**
   * A critic task's critique (recorded or unparseable): the critic's own subject, so that no
   * other identity needs to write job subjects. Streams written before also hold critiques on
   * `agents.job.<jobId>`; readers accept both.
   */
  critique: (criticTaskId: string) => `agents.critique.${criticTaskId}`,
  critiques: "agents.critique.*",
  /** The models' limits as workers find them (model.day_budget_spent): the workers' subject. */
  limits: "agents.limits",
  /** message.rejected from any consumer (older streams hold them on agents.system too). */
  rejected: "agents.rejected",
  control: "agents.control.>",
  controlStop: "agents.control.stop",
  controlResume: "agents.control.resume",
  controlCancel: "agents.control.cancel",
  controlPause: "agents.control.pause",
  controlUnpause: "agents.control.unpause",
  controlRetry: "agents.control.retry",
  /** Work dispatch: one subject per (route, queue, band) in the work-queue stream. */
  work: (route: Route, queue: QueueName, band: Band) => `agents.work.${route}.${queue}.${band}`,
  /** One queue's work on every route and band (a worker subscribes only to the queues it serves). */
  workOf: (queue: QueueName) => `agents.work.*.${queue}.*`,
  /** A route's work, every queue and band (`nats stream subjects AGENTS_WORK 'agents.work.claude.>'`). */
  workOfRoute: (route: Route) => `agents.work.${route}.>`,
  /** Work dispatched before routing (one subject per (queue, band)); workers drain what is left. */
  legacyWork: (queue: QueueName, band: Band) => `agents.work.${queue}.${band}`,
  /** One queue's work from before routing, every band. */
  legacyWorkOf: (queue: QueueName) => `agents.work.${queue}.*`,
  workAll: "agents.work.>",
} as const;

/** NATS header naming who published a submission: gateway, cli or (absent) any NATS client. */
export const SOURCE_HEADER = "Agents-Source";
/** NATS header holding a message's dedup id (the event id of an event). */
export const MSG_ID_HEADER = "Nats-Msg-Id";

/** One lane of the work stream: a route's (queue, band); without a route, a lane from before routing. */
export type WorkLane = { route?: Route | undefined; queue: QueueName; band: Band };

/** Durable consumer name of the work stream for one lane (`work-claude-standard-high`). */
export function workConsumerName(lane: WorkLane): string {
  return lane.route ? `work-${lane.route}-${lane.queue}-${lane.band}` : `work-${lane.queue}-${lane.band}`;
}

/** The subject of a lane. */
export function laneSubject(lane: WorkLane): string {
  return lane.route
    ? Subjects.work(lane.route, lane.queue, lane.band)
    : Subjects.legacyWork(lane.queue, lane.band);
}

/** The lane a work subject belongs to, as its key (`claude.standard.high`; legacy `standard.high`). */
export function laneKeyOfSubject(subject: string): string {
  return subject.startsWith("agents.work.") ? subject.slice("agents.work.".length) : subject;
}

/** The task or job id carried in the last token of an `agents.task.*` / `agents.job.*` subject. */
export function idFromSubject(subject: string): string | undefined {
  const parts = subject.split(".");
  return parts.length === 3 ? parts[2] : undefined;
}

/** Every (route, queue, band) of the given routes; each gets its own consumer (work-queue filters may not overlap). */
export function workLanes(routes: readonly Route[] = Route.options): Array<Required<WorkLane>> {
  return routes.flatMap((route) =>
    QueueName.options.flatMap((queue) => Band.options.map((band) => ({ route, queue, band }))),
  );
}

/** The (queue, band) lanes from before routing. */
export function legacyWorkLanes(): WorkLane[] {
  return QueueName.options.flatMap((queue) => Band.options.map((band) => ({ queue, band })));
}

/** True for subjects that carry plain-JSON commands (submissions, control) rather than events. */
export function isCommandSubject(subject: string): boolean {
  return subject === Subjects.submit || subject.startsWith("agents.control.");
}

/** Whether a subject matches a NATS filter (`*` one token, `>` one or more trailing tokens). */
export function subjectMatches(filter: string, subject: string): boolean {
  if (filter === subject) return true;
  const f = filter.split(".");
  const s = subject.split(".");
  for (let i = 0; i < f.length; i++) {
    const token = f[i];
    if (token === ">") return s.length > i;
    if (i >= s.length || (token !== "*" && token !== s[i])) return false;
  }
  return f.length === s.length;
}
