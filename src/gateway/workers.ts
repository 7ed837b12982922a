// What the live workers report about themselves (the agents-workers bucket), for /health, the
// metrics and `agents status`: their executors' credentials, usage-limit holds and rate limits.
import { errorMessage } from "../core/errors.ts";
import type { WorkerStatus } from "../core/worker/status.ts";
import type { Connection } from "../nats/connection.ts";
import { listWorkerStatuses, openWorkerStatuses } from "../nats/worker-status.ts";

export type WorkersView = {
  live: number;
  /** Routes some live worker takes no work for because its credentials failed. */
  auth_failed: Array<{ worker_id: string; route: string; detail: string }>;
  list: WorkerStatus[];
  error?: string;
};

/**
 * Reads the workers' statuses; the bucket is opened once and again after a failure. Callers at the
 * same time share one read (a metrics scrape asks four times at once, /health once more).
 */
export function workersReader(nc: Connection): () => Promise<WorkersView> {
  let bucket: ReturnType<typeof openWorkerStatuses> | undefined;
  let reading: Promise<WorkersView> | undefined;
  const read = async (): Promise<WorkersView> => {
    bucket ??= openWorkerStatuses(nc);
    try {
      const list = await listWorkerStatuses(nc, await bucket);
      const auth_failed = list.flatMap((w) =>
        w.executors
          .filter((e) => e.auth.state === "failed")
          .map((e) => ({ worker_id: w.worker_id, route: e.route, detail: e.auth.detail })),
      );
      return { live: list.length, auth_failed, list };
    } catch (err) {
      bucket = undefined;
      return { live: 0, auth_failed: [], list: [], error: errorMessage(err) };
    }
  };
  return () => {
    reading ??= read().finally(() => {
      reading = undefined;
    });
    return reading;
  };
}
