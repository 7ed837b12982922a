// Streams, consumers and the outputs bucket as code, provisioned idempotently at every start.
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import type { WorkItem } from "../core/events/catalogue/work-item.ts";
import {
  DEFAULT_WORK_ACK_WAIT_MS,
  LEASES_BUCKET,
  LIMITS_BUCKET,
  laneSubject,
  ORCHESTRATOR_SNAPSHOTS_BUCKET,
  OUTPUTS_BUCKET,
  PROJECTION_SNAPSHOTS_BUCKET,
  STREAM_EVENTS,
  STREAM_WORK,
  Subjects,
  SYSTEM_BUCKET,
  WORKERS_BUCKET,
  workConsumerName,
  workLanes,
} from "../core/events/subjects.ts";

import type { Connection } from "./connection.ts";
import type { JetStreamEventStore } from "./event-store.ts";
import { WORKER_STATUS_TTL_MS } from "./worker-status.ts";

const NS_PER_MS = 1_000_000;

export type TopologyOptions = {
  /**
   * Replicas per stream (3 in a cluster). Default: 1 for a stream created now; an existing stream
   * keeps its own, so a process started without it never scales a replicated stream down.
   */
  replicas?: number;
  /** Dedup window for Nats-Msg-Id (ms). Default 10 minutes. */
  duplicateWindowMs?: number;
  /** Ack wait of work consumers (ms): a silent worker's task is redelivered after it. Default 8 s. */
  workAckWaitMs?: number;
  /** Largest message the streams accept (bytes). Default 1 MiB. */
  maxMsgBytes?: number;
  /**
   * Retention of the event stream: events older than this are removed (ms). Default 0: kept
   * forever. A fold from the start then sees only what is left; snapshots carry the rest.
   */
  eventsMaxAgeMs?: number;
  /** Retention of the event stream: the oldest events are removed past this size (bytes). Default: no cap. */
  eventsMaxBytes?: number;
};

/**
 * The AGENTS event stream: the source of truth. Kept forever unless an age or size limit is given;
 * then the oldest events go first (limits retention, discard old).
 */
export function eventsStreamConfig(o: TopologyOptions = {}): Partial<StreamConfig> & { name: string } {
  return {
    name: STREAM_EVENTS,
    subjects: [
      Subjects.submit,
      Subjects.jobs,
      Subjects.tasks,
      Subjects.critiques,
      Subjects.system,
      Subjects.rejected,
      Subjects.limits,
      Subjects.control,
    ],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    num_replicas: o.replicas ?? 1,
    duplicate_window: (o.duplicateWindowMs ?? 10 * 60_000) * NS_PER_MS,
    max_msg_size: o.maxMsgBytes ?? 1_048_576,
    // The server's own "no limit" values, so a stream made before these options compares equal.
    max_age: (o.eventsMaxAgeMs ?? 0) * NS_PER_MS,
    max_bytes: o.eventsMaxBytes && o.eventsMaxBytes > 0 ? o.eventsMaxBytes : -1,
    allow_direct: true,
  };
}

/** The work-queue stream: one message per dispatch, removed when a worker acks it. */
export function workStreamConfig(o: TopologyOptions = {}): Partial<StreamConfig> & { name: string } {
  return {
    name: STREAM_WORK,
    subjects: [Subjects.workAll],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    num_replicas: o.replicas ?? 1,
    duplicate_window: (o.duplicateWindowMs ?? 10 * 60_000) * NS_PER_MS,
    max_msg_size: 64 * 1024,
  };
}

/**
 * Create or update streams, work consumers, the outputs bucket, the snapshot buckets, the leases
 * bucket, the system state bucket and the models' limits bucket; safe to call from every process.
 */
export async function provisionTopology(nc: Connection, o: TopologyOptions = {}): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc);
  for (const cfg of [eventsStreamConfig(o), workStreamConfig(o)]) {
    await ensureStream(jsm, cfg, o.replicas !== undefined);
  }
  const ackWaitNs = (o.workAckWaitMs ?? DEFAULT_WORK_ACK_WAIT_MS) * NS_PER_MS;
  for (const lane of workLanes()) {
    const name = workConsumerName(lane);
    const cfg = {
      durable_name: name,
      filter_subject: laneSubject(lane),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: ackWaitNs,
      max_deliver: -1,
      max_ack_pending: 10_000,
    };
    const existing = await jsm.consumers.info(STREAM_WORK, name).catch(() => null);
    if (!existing) await jsm.consumers.add(STREAM_WORK, cfg);
    else if (existing.config.ack_wait !== ackWaitNs)
      await jsm.consumers.update(STREAM_WORK, name, { ack_wait: ackWaitNs });
  }
  const objm = new Objm(nc);
  for (const bucket of [OUTPUTS_BUCKET, ORCHESTRATOR_SNAPSHOTS_BUCKET, PROJECTION_SNAPSHOTS_BUCKET])
    await objm.create(bucket, { replicas: o.replicas ?? 1, storage: StorageType.File });
  // The models' shared limit state (LIMITS_BUCKET) keeps only the latest value, rewritten per call.
  for (const bucket of [LEASES_BUCKET, SYSTEM_BUCKET, LIMITS_BUCKET])
    await new Kvm(nc).create(bucket, { history: 1, replicas: o.replicas ?? 1, storage: StorageType.File });
  // A worker refreshes its entry every WORKER_STATUS_EVERY_MS; one that stops is gone after the ttl.
  await new Kvm(nc).create(WORKERS_BUCKET, {
    history: 1,
    replicas: o.replicas ?? 1,
    storage: StorageType.Memory,
    ttl: WORKER_STATUS_TTL_MS,
  });
  return jsm;
}

async function ensureStream(
  jsm: JetStreamManager,
  cfg: Partial<StreamConfig> & { name: string },
  setReplicas: boolean,
): Promise<void> {
  const info = await jsm.streams.info(cfg.name).catch(() => null);
  if (!info) {
    await jsm.streams.add(cfg);
    return;
  }
  // Only fields the server lets us change; retention and storage are fixed at creation. Nothing is
  // sent when nothing differs, so identities that may not update streams can run this too. Replicas
  // change only when asked for: taking a process's default (1) as an order scaled an R3 stream down
  // to one copy, which a lost node then took offline.
  const { retention: _r, storage: _s, num_replicas, ...rest } = cfg;
  const mutable = setReplicas ? { ...rest, num_replicas } : rest;
  const current = info.config as unknown as Record<string, unknown>;
  const differs = Object.entries(mutable).some(([k, v]) => JSON.stringify(current[k]) !== JSON.stringify(v));
  if (differs) await jsm.streams.update(cfg.name, { ...info.config, ...mutable });
}

/** Messages waiting on a consumer (pending or ack-pending); 0 when it does not exist. */
export async function pendingOn(nc: Connection, stream: string, consumer: string): Promise<number> {
  const jsm = await jetstreamManager(nc, { checkAPI: false });
  const info = await jsm.consumers.info(stream, consumer).catch(() => null);
  return info ? info.num_pending + info.num_ack_pending : 0;
}

/** The orchestrator's durable consumer: its ack floor (the stream sequence its state is folded to). */
export async function ackFloor(nc: Connection, name: string): Promise<number> {
  const jsm = await jetstreamManager(nc, { checkAPI: false });
  return (await jsm.consumers.info(STREAM_EVENTS, name)).ack_floor.stream_seq;
}

/**
 * The orchestrator consumer's ack wait: far longer than an input can be held behind a slow one (a
 * failing input is retried in process for about 28 s before it is rejected; max_ack_pending inputs
 * finish behind it meanwhile). Redelivery within a tenure is never needed: every tenure recreates
 * the consumer at its ack floor, so a crash re-delivers all that was not acked anyway; a redelivery
 * inside a tenure would only hand the same inputs over twice.
 */
const ORCHESTRATOR_ACK_WAIT_MS = 30 * 60_000;
/**
 * Inputs delivered and not acked at once. Under AckPolicy.All the floor waits for the oldest
 * unfinished input, so this many may finish behind one slow input before delivery pauses.
 */
const ORCHESTRATOR_MAX_ACK_PENDING = 10_000;

/**
 * Make sure the orchestrator's durable consumer on every subject exists and delivers everything
 * after its ack floor, in order; returns that floor. A consumer resumes after its last *delivered*
 * message, but state is rebuilt only up to the ack floor: after a crash, messages past the floor
 * would be skipped (if acked) or come back out of order after ack_wait (if not). So it is recreated
 * to deliver everything after the floor; decisions are idempotent, so input handled before the crash
 * is harmless to handle again. It acks with AckPolicy.All (one ack per run of finished inputs, see
 * AckFloor); a consumer made with the explicit policy before is recreated at its floor the same way.
 */
export async function ensureOrchestratorConsumer(nc: Connection, name: string): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const existing = await jsm.consumers.info(STREAM_EVENTS, name).catch(() => null);
  const floor = existing?.ack_floor.stream_seq ?? 0;
  const current =
    existing?.config.ack_policy === AckPolicy.All &&
    existing.config.ack_wait === ORCHESTRATOR_ACK_WAIT_MS * NS_PER_MS &&
    existing.config.max_ack_pending === ORCHESTRATOR_MAX_ACK_PENDING;
  if (existing && current && existing.delivered.stream_seq <= floor) return floor;
  if (existing) await jsm.consumers.delete(STREAM_EVENTS, name);
  await jsm.consumers.add(STREAM_EVENTS, {
    durable_name: name,
    filter_subject: Subjects.all,
    ack_policy: AckPolicy.All,
    ...(floor > 0
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: floor + 1 }
      : { deliver_policy: DeliverPolicy.All }),
    ack_wait: ORCHESTRATOR_ACK_WAIT_MS * NS_PER_MS,
    max_ack_pending: ORCHESTRATOR_MAX_ACK_PENDING,
  });
  return floor;
}

/**
 * Publish a work item on its route's lane (msgID task:attempt:route, so a repeat is stored once and
 * the same attempt sent on to another executor's lanes is not taken for a repeat; a repair passes its
 * own `dedup`). True when it was stored, false when the msgID had been seen.
 */
export async function dispatchWork(
  events: JetStreamEventStore,
  item: WorkItem,
  dedup = `${item.task_id}:${item.attempt}:${item.route ?? "any"}`,
): Promise<boolean> {
  const lane = { route: item.route, queue: item.queue, band: item.band };
  const ack = await events.appendJson(laneSubject(lane), item, dedup);
  return !ack.duplicate;
}

/** Work messages stored per lane subject (agents.work.<route>.<queue>.<band>); a lane with none is absent. */
export async function workPerLane(nc: Connection): Promise<Map<string, number>> {
  const jsm = await jetstreamManager(nc, { checkAPI: false });
  const info = await jsm.streams.info(STREAM_WORK, { subjects_filter: Subjects.workAll });
  return new Map(Object.entries(info.state.subjects ?? {}));
}
