// Writes projection snapshots while a runner follows the stream: every `checkMs`, once the runner
// applied `everyEvents` past the newest snapshot it read or wrote.
import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage } from "../core/errors.ts";
import type { Logger } from "../core/ports/logger.ts";
import type { ProjectionRunner } from "./runner.ts";

export type SnapshotSettings = {
  /** Events applied between two snapshots; 0 writes none. */
  everyEvents: number;
  /** How often (ms) to look whether a snapshot is due. */
  checkMs: number;
};

/** Run until the signal aborts; a failed write is logged and tried again at the next look. */
export async function keepSnapshots(
  runner: ProjectionRunner,
  settings: SnapshotSettings,
  log: Logger,
  signal: AbortSignal,
): Promise<void> {
  if (settings.everyEvents <= 0) return;
  while (!signal.aborted) {
    await sleep(settings.checkMs, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) break;
    const { applied_seq, snapshot_seq } = runner.stats();
    if (applied_seq - snapshot_seq < settings.everyEvents) continue;
    const t0 = Date.now();
    try {
      const written = await runner.snapshot();
      if (written) log.info({ ...written, ms: Date.now() - t0 }, "projections snapshot written");
    } catch (err) {
      log.warn({ err: errorMessage(err) }, "projections snapshot not written; trying again later");
    }
  }
}
