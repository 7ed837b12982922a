// What JetStream itself says, as Prometheus gauges read at scrape time: each work lane's consumer
// (messages waiting, held by workers or put back with a delay, redelivered), the durable consumers
// of the event stream (the orchestrator's lag), both streams' size, the orchestrator lease and the
// connection. One read of the server serves every gauge of a scrape; a failed read leaves its series
// out (an alert on `absent()` or `up` sees it), never a made-up value.
import { type ConsumerInfo, type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import { Gauge, type Registry } from "prom-client";
import { errorMessage } from "../core/errors.ts";
import {
  type Band,
  type QueueName,
  STREAM_EVENTS,
  STREAM_WORK,
  workConsumerName,
  workLanes,
} from "../core/events/index.ts";
import type { Logger } from "../core/ports/logger.ts";
import { type Connection, connectionStatus } from "./connection.ts";
import { type LeaseStatus, leaseStatus, openLeases } from "./lease.ts";

/** The orchestrator's durable consumer (its default name, the one docs/production.md permits). */
const ORCHESTRATOR_CONSUMER = "orchestrator";

type Lane = { queue: QueueName; band: Band; info: ConsumerInfo };
type StreamState = { stream: string; messages: number; bytes: number; last_seq: number };

/** One read of the server: what every gauge of a scrape shows. */
type Snapshot = {
  lanes: Lane[];
  durables: ConsumerInfo[];
  streams: StreamState[];
  lease: LeaseStatus | undefined;
};

/** Reads within this long of each other share one snapshot (one scrape reads many gauges). */
const SNAPSHOT_MS = 1000;

/** Register the JetStream gauges on `registry`, reading through `nc` at each scrape. */
export function registerJetStreamMetrics(registry: Registry, nc: Connection, log: Logger): void {
  const read = snapshots(nc, log);
  const registers = [registry];
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    fill: (g: Gauge<L>, s: Snapshot) => void,
  ) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        this.reset();
        fill(this, await read());
      },
    });
  const lanes = (pick: (i: ConsumerInfo) => number) => (g: Gauge<"queue" | "band">, s: Snapshot) => {
    // Each (queue, band) has one lane per route: the gauge shows their sum.
    for (const l of s.lanes) g.inc({ queue: l.queue, band: l.band }, pick(l.info));
  };
  gauge(
    "agents_work_pending_messages",
    "Work items waiting for a worker (not yet delivered), per queue and band",
    ["queue", "band"],
    lanes((i) => i.num_pending),
  );
  gauge(
    "agents_work_ack_pending_messages",
    "Work items delivered and not yet acknowledged (running, or put back with a delay), per queue and band",
    ["queue", "band"],
    lanes((i) => i.num_ack_pending),
  );
  gauge(
    "agents_work_redelivered_messages",
    "Work items delivered more than once and still unacknowledged, per queue and band",
    ["queue", "band"],
    lanes((i) => i.num_redelivered),
  );
  gauge(
    "agents_consumer_pending_messages",
    "Event stream messages a durable consumer (the orchestrator) has not been delivered yet: its lag",
    ["consumer"],
    (g, s) => {
      for (const c of s.durables) g.set({ consumer: c.name }, c.num_pending);
    },
  );
  gauge(
    "agents_consumer_ack_pending_messages",
    "Event stream messages a durable consumer was delivered and has not acknowledged yet",
    ["consumer"],
    (g, s) => {
      for (const c of s.durables) g.set({ consumer: c.name }, c.num_ack_pending);
    },
  );
  for (const [field, name, help] of [
    [
      "messages",
      "agents_stream_messages",
      "Messages stored in a stream (AGENTS: the events; AGENTS_WORK: undone work)",
    ],
    ["bytes", "agents_stream_bytes", "Bytes stored in a stream"],
    ["last_seq", "agents_stream_last_sequence", "Last sequence stored in a stream"],
  ] as const)
    gauge(name, help, ["stream"], (g, s) => {
      for (const st of s.streams) g.set({ stream: st.stream }, st[field]);
    });
  gauge(
    "agents_orchestrator_lease_live",
    "1 while some orchestrator holds the leader lease and renewed it within its ttl, else 0",
    [],
    (g, s) => {
      if (s.lease) g.set(s.lease.live ? 1 : 0);
    },
  );
  gauge(
    "agents_orchestrator_lease_age_seconds",
    "Seconds since the orchestrator lease was last renewed (absent when nobody holds it)",
    [],
    (g, s) => {
      if (s.lease?.renewed_at) g.set(Math.max(0, Date.now() - Date.parse(s.lease.renewed_at)) / 1000);
    },
  );
  new Gauge({
    name: "agents_nats_connected",
    help: "1 while this process is connected to NATS, else 0",
    registers,
    collect() {
      this.set(connectionStatus(nc).connected ? 1 : 0);
    },
  });
}

/** A reader of snapshots, each shared by the reads within SNAPSHOT_MS of it. */
function snapshots(nc: Connection, log: Logger): () => Promise<Snapshot> {
  let jsm: JetStreamManager | undefined;
  let leases: KV | undefined;
  let last: { at: number; snapshot: Promise<Snapshot> } | undefined;
  const take = async (): Promise<Snapshot> => {
    jsm ??= await jetstreamManager(nc, { checkAPI: false });
    const m = jsm;
    const [lanes, durables, streams, lease] = await Promise.all([
      Promise.all(
        workLanes().map(async (l) => {
          const info = await m.consumers.info(STREAM_WORK, workConsumerName(l)).catch(() => null);
          return info ? [{ ...l, info }] : [];
        }),
      ).then((x) => x.flat()),
      durableConsumers(m).catch(() => []),
      Promise.all(
        [STREAM_EVENTS, STREAM_WORK].map(async (stream) => {
          const info = await m.streams.info(stream).catch(() => null);
          return info ? [{ stream, ...info.state }] : [];
        }),
      ).then((x) => x.flat()),
      (async () => {
        leases ??= await openLeases(nc);
        return leaseStatus(leases, "orchestrator");
      })().catch((err: unknown) => {
        leases = undefined;
        log.debug({ err: errorMessage(err) }, "metrics: lease not read");
        return undefined;
      }),
    ]);
    return { lanes, durables, streams, lease };
  };
  return () => {
    const now = performance.now();
    if (!last || now - last.at > SNAPSHOT_MS) {
      const snapshot = take().catch((err: unknown) => {
        log.debug({ err: errorMessage(err) }, "metrics: JetStream not read");
        jsm = undefined;
        return { lanes: [], durables: [], streams: [], lease: undefined };
      });
      last = { at: now, snapshot };
    }
    return last.snapshot;
  };
}

/**
 * The orchestrator's durable consumer on the event stream, by its default name: one info request
 * (which the gateway's NATS user may make), not a listing of every SSE client's ordered consumer.
 */
async function durableConsumers(jsm: JetStreamManager): Promise<ConsumerInfo[]> {
  const info = await jsm.consumers.info(STREAM_EVENTS, ORCHESTRATOR_CONSUMER).catch(() => null);
  return info ? [info] : [];
}
