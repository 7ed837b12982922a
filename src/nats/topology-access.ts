// Provisioning for identities that do not own the topology. With per-role NATS permissions only
// the orchestrator (and the operator) may create or update streams, consumers and buckets; a
// worker or gateway uses what exists (settings such as the work ack wait are the owner's to apply)
// and, starting first, waits until it exists.
import { setTimeout as sleep } from "node:timers/promises";
import { jetstreamManager } from "@nats-io/jetstream";
import { type NatsConnection, PermissionViolationError } from "@nats-io/transport-node";
import {
  LEASES_BUCKET,
  LIMITS_BUCKET,
  ORCHESTRATOR_SNAPSHOTS_BUCKET,
  OUTPUTS_BUCKET,
  PROJECTION_SNAPSHOTS_BUCKET,
  STREAM_EVENTS,
  STREAM_WORK,
  SYSTEM_BUCKET,
  WORKERS_BUCKET,
} from "../core/events/index.ts";
import type { Logger } from "../core/ports/logger.ts";
import { provisionTopology, type TopologyOptions } from "./topology.ts";

/** True when the server refused a subject to this identity (a permissions violation). */
export function isPermissionDenied(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof PermissionViolationError || /permissions violation/i.test(e.message)) return true;
  }
  return false;
}

/** The streams of the topology: the events, the work queue, the outputs, the snapshots, the leases, the system state, the workers' statuses, the models' limits. */
const STREAMS = [
  STREAM_EVENTS,
  STREAM_WORK,
  `OBJ_${OUTPUTS_BUCKET}`,
  `OBJ_${ORCHESTRATOR_SNAPSHOTS_BUCKET}`,
  `OBJ_${PROJECTION_SNAPSHOTS_BUCKET}`,
  `KV_${LEASES_BUCKET}`,
  `KV_${SYSTEM_BUCKET}`,
  `KV_${WORKERS_BUCKET}`,
  `KV_${LIMITS_BUCKET}`,
];

/** Which of the topology's streams exist (asked one by one: this identity may not list streams). */
export async function missingStreams(nc: NatsConnection): Promise<string[]> {
  const jsm = await jetstreamManager(nc, { checkAPI: false });
  const found = await Promise.all(
    STREAMS.map((name) =>
      jsm.streams.info(name).then(
        () => true,
        (err: unknown) => {
          if (isPermissionDenied(err)) return true; // exists or not, this identity does not use it
          return false;
        },
      ),
    ),
  );
  return STREAMS.filter((_, i) => !found[i]);
}

export type AwaitTopologyOptions = TopologyOptions & {
  log: Logger;
  /** Stop waiting when this aborts. */
  signal?: AbortSignal;
  /** ms between looks while the owner has not created the topology. Default 2000. */
  pollMs?: number;
};

/**
 * Make sure the topology exists without changing it. When all its streams exist this sends nothing
 * that could be refused. When some are missing: an open server (no users, a local setup) lets anyone
 * provision them, so this does; on a server with users only their owner may, so this waits.
 */
export async function provisionOrAwait(nc: NatsConnection, o: AwaitTopologyOptions): Promise<void> {
  let told = false;
  for (;;) {
    o.signal?.throwIfAborted();
    const missing = await missingStreams(nc);
    if (missing.length === 0) return;
    if (nc.info?.auth_required !== true) {
      await provisionTopology(nc, o);
      return;
    }
    if (!told)
      o.log.warn(
        { missing },
        "waiting for the orchestrator (or an operator) to create the streams this identity may not create",
      );
    told = true;
    await sleep(o.pollMs ?? 2000, undefined, o.signal ? { signal: o.signal } : {});
  }
}
