// Keep a process running until SIGINT/SIGTERM/SIGHUP, then stop its parts in reverse order and exit.
// SIGHUP (a closed terminal) stops cleanly too, so the orchestrator lease is let go, not left to expire.
import type { Logger } from "../observability/logger.ts";

const SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

export type Stoppable = { name: string; stop(): Promise<void> };

/** Wait for SIGINT, SIGTERM or SIGHUP, stop every part (last started first), then resolve. */
export function runUntilSignal(parts: Stoppable[], log: Logger): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = async (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, "stopping");
      for (const p of [...parts].reverse()) {
        try {
          await p.stop();
          log.info({ part: p.name }, "stopped");
        } catch (err) {
          log.error({ part: p.name, err: String(err) }, "stop failed");
        }
      }
      for (const s of SIGNALS) process.off(s, onSignal);
      resolve();
    };
    for (const s of SIGNALS) process.on(s, onSignal);
  });
}
