// Recovery times read from the stream: how long a killed worker's tasks waited to run again.
import { type Ledger, pidOfWorker } from "./ledger.ts";

/** A worker killed at `at` (ms) while running `tasks`. */
export type Kill = { pid: number; at: number; tasks: string[] };

export type Redelivery = {
  /** Kill → the task's next start on another worker (ms), per task the killed worker held. */
  times: number[];
  /** Tasks whose outcome the killed worker had stored after all (no redelivery needed). */
  finished: number;
  /** Tasks that never started again. */
  missing: string[];
};

/** For every task a killed worker held: when it started again elsewhere. */
export function redeliveries(ledger: Ledger, kills: readonly Kill[]): Redelivery {
  const out: Redelivery = { times: [], finished: 0, missing: [] };
  for (const kill of kills) {
    for (const id of kill.tasks) {
      const t = ledger.tasks.get(id);
      const next = t?.starts.find((s) => s.at > kill.at && pidOfWorker(s.worker) !== kill.pid);
      const end = t?.runEnds.find((e) => e > kill.at);
      if (next && (end === undefined || next.at <= end)) out.times.push(next.at - kill.at);
      else if (end !== undefined) out.finished++;
      else out.missing.push(id);
    }
  }
  return out;
}
