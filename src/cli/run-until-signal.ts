// Keep a process running until SIGINT/SIGTERM, then stop its parts in reverse order and exit.
import type { Logger } from "../observability/logger.ts";

export type Stoppable = { name: string; stop(): Promise<void> };

/** Wait for SIGINT or SIGTERM, stop every part (last started first), then resolve. */
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
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
