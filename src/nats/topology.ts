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
import type { NatsConnection } from "@nats-io/transport-node";
import { Band, QueueName } from "../core/events/catalogue/index.ts";
import {
  LEASES_BUCKET,
  OUTPUTS_BUCKET,
  STREAM_EVENTS,
  STREAM_WORK,
  Subjects,
  workConsumerName,
} from "../core/events/subjects.ts";

const NS_PER_MS = 1_000_000;

export type TopologyOptions = {
  /** Replicas per stream (3 in a cluster). Default 1. */
  replicas?: number;
  /** Dedup window for Nats-Msg-Id (ms). Default 10 minutes. */
  duplicateWindowMs?: number;
  /** Ack wait of work consumers (ms): a silent worker's task is redelivered after it. Default 30 s. */
  workAckWaitMs?: number;
  /** Largest message the streams accept (bytes). Default 1 MiB. */
  maxMsgBytes?: number;
};

/** The AGENTS event stream: the source of truth. Kept forever (limits retention). */
export function eventsStreamConfig(o: TopologyOptions = {}): Partial<StreamConfig> & { name: string } {
  return {
    name: STREAM_EVENTS,
    subjects: [Subjects.submit, "agents.job.*", "agents.task.*", Subjects.system, Subjects.control],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    num_replicas: o.replicas ?? 1,
    duplicate_window: (o.duplicateWindowMs ?? 10 * 60_000) * NS_PER_MS,
    max_msg_size: o.maxMsgBytes ?? 1_048_576,
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

/** Every (queue, band) pair; each gets its own consumer (work-queue filters may not overlap). */
export function workLanes(): Array<{ queue: QueueName; band: Band }> {
  return QueueName.options.flatMap((queue) => Band.options.map((band) => ({ queue, band })));
}

/**
 * Create or update streams, work consumers, the outputs bucket and the leases bucket; safe to call
 * from every process.
 */
export async function provisionTopology(
  nc: NatsConnection,
  o: TopologyOptions = {},
): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc);
  for (const cfg of [eventsStreamConfig(o), workStreamConfig(o)]) {
    await ensureStream(jsm, cfg);
  }
  const ackWaitNs = (o.workAckWaitMs ?? 30_000) * NS_PER_MS;
  for (const { queue, band } of workLanes()) {
    const name = workConsumerName(queue, band);
    const cfg = {
      durable_name: name,
      filter_subject: Subjects.work(queue, band),
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
  await new Objm(nc).create(OUTPUTS_BUCKET, { replicas: o.replicas ?? 1, storage: StorageType.File });
  await new Kvm(nc).create(LEASES_BUCKET, {
    history: 1,
    replicas: o.replicas ?? 1,
    storage: StorageType.File,
  });
  return jsm;
}

async function ensureStream(
  jsm: JetStreamManager,
  cfg: Partial<StreamConfig> & { name: string },
): Promise<void> {
  const info = await jsm.streams.info(cfg.name).catch(() => null);
  if (!info) {
    await jsm.streams.add(cfg);
    return;
  }
  // Only fields the server lets us change; retention and storage are fixed at creation.
  const { retention: _r, storage: _s, ...mutable } = cfg;
  await jsm.streams.update(cfg.name, { ...info.config, ...mutable });
}
