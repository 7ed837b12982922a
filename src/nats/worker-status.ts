// Workers' statuses in the `agents-workers` KV bucket: each worker puts its own entry every
// WORKER_STATUS_EVERY_MS and on every change; the bucket's max age drops the entry of a worker that
// stopped refreshing it. Readers (/health, the metrics, `agents status`) list the live entries.
import { type KV, Kvm } from "@nats-io/kv";
import { WORKERS_BUCKET } from "../core/events/subjects.ts";
import { WorkerStatus, workerStatusKey } from "../core/worker/status.ts";
import type { Connection } from "./connection.ts";
import { bucketKeys } from "./kv-keys.ts";

/** How often a worker refreshes its status (ms). */
export const WORKER_STATUS_EVERY_MS = 5_000;
/** A status not refreshed for this long is dropped (ms): a few missed refreshes. */
export const WORKER_STATUS_TTL_MS = 30_000;

const encoder = new TextEncoder();

/** The bucket, opened once per user. */
export function openWorkerStatuses(nc: Connection): Promise<KV> {
  return new Kvm(nc).open(WORKERS_BUCKET);
}

/** Put a worker's status (its key is derived from its id). */
export async function putWorkerStatus(kv: KV, status: WorkerStatus): Promise<void> {
  await kv.put(workerStatusKey(status.worker_id), encoder.encode(JSON.stringify(status)));
}

/** Remove a worker's status (it is stopping). */
export async function deleteWorkerStatus(kv: KV, workerId: string): Promise<void> {
  await kv.delete(workerStatusKey(workerId));
}

/** Every live worker's status; entries that do not fit the schema are skipped. */
export async function listWorkerStatuses(nc: Connection, kv: KV): Promise<WorkerStatus[]> {
  const out: WorkerStatus[] = [];
  for (const key of await bucketKeys(nc, WORKERS_BUCKET)) {
    const e = await kv.get(key);
    if (e?.operation !== "PUT") continue;
    const parsed = WorkerStatus.safeParse(safeJson(e.string()));
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
