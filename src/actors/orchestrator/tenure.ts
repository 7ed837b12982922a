// The orchestrator's tenures: stand by while another orchestrator holds the lease (folding the stream
// ahead, so a takeover starts warm), lead while holding it, and start over from a fresh state after
// losing it.

import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage } from "../../core/errors.ts";
import type { Lease, Tenure } from "../../nats/lease.ts";
import type { Logger } from "../../observability/logger.ts";

/** How often a standby folds the stream up to the leader's ack floor. */
const WARM_EVERY_MS = 2000;

/** What the tenure loop needs from the orchestrator. */
export type Leader = {
  /** Fold the stream up to the consumer's ack floor (while standing by). */
  foldAhead(): Promise<void>;
  /** Catch up to the ack floor and consume; `consuming` ends when the signal aborts. */
  lead(signal: AbortSignal): Promise<{ consuming: Promise<void> }>;
  /** Forget everything folded (after a tenure ended). */
  reset(): void;
  /** Told when consuming starts (true) and stops (false). */
  setLeading(leading: boolean): void;
};

export type Ready = { resolve(): void; reject(err: unknown): void };

/**
 * Run tenures until `stop` aborts, then let the lease go. `ready` resolves once leading or standing
 * by, and rejects when the first attempt to lead fails.
 */
export async function serveTenures(
  lease: Lease,
  leader: Leader,
  o: { log: Logger; stop: AbortSignal; ready: Ready },
): Promise<void> {
  let first = true;
  while (!o.stop.aborted) {
    let tenure: Tenure;
    const standby = new AbortController();
    let warming: Promise<void> | undefined;
    try {
      tenure = await lease.acquire(o.stop, (holder, ttlMs) => {
        o.log.info(
          { holder, takeover_after_ms: ttlMs },
          "standing by: another orchestrator holds the lease (a holder that stops renewing is replaced after takeover_after_ms)",
        );
        warming ??= keepWarm(leader, AbortSignal.any([standby.signal, o.stop]), o.log);
        o.ready.resolve();
      });
    } catch {
      break; // stopped while standing by
    } finally {
      standby.abort();
      await warming;
    }
    let led = false;
    try {
      const { consuming } = await leader.lead(AbortSignal.any([o.stop, tenure.lost]));
      led = true;
      leader.setLeading(true);
      o.ready.resolve();
      await consuming.finally(() => leader.setLeading(false));
    } catch (err) {
      // Only a first attempt that never got to lead gives up; consuming that fails later (under
      // AckPolicy.All a failed pull ends the tenure, see consumeLoop) starts a new tenure.
      if (first && !led) {
        // start() rejects and its caller gives up: nothing may keep running behind its back.
        o.ready.reject(err);
        break;
      }
      o.log.error({ err: errorMessage(err) }, "orchestrator failed while leading; letting go");
      await lease.release();
      await sleep(1000, undefined, { signal: o.stop }).catch(() => undefined);
    }
    first = false;
    if (o.stop.aborted) break;
    // The lease was lost (or leading failed): the state holds our own decisions past the ack floor,
    // so the next tenure starts from a fresh state folded from the stream.
    leader.reset();
  }
  await lease.release();
}

async function keepWarm(leader: Leader, signal: AbortSignal, log: Logger): Promise<void> {
  while (!signal.aborted) {
    try {
      await leader.foldAhead();
    } catch (err) {
      log.debug({ err: errorMessage(err) }, "standby could not fold ahead");
    }
    await sleep(WARM_EVERY_MS, undefined, { signal }).catch(() => undefined);
  }
}
