// What a worker obeys: the recorded system state, plus any valid stop or pause stored after the
// record's control_seq (the orchestrator has not decided it yet, e.g. while it is down). Stopping and
// pausing take effect at once; resuming and unpausing only once recorded, so garbage or a command
// the orchestrator would refuse can never un-stop a worker.
import type { QueueName } from "../events/index.ts";
import type { ControlCommand } from "./commands.ts";
import type { SystemRecord } from "./system-state.ts";

/** Valid stop and pause commands seen on the stream and not yet covered by the record. */
export type PendingControl = { stops: number[]; pauses: Array<{ queue: QueueName; seq: number }> };

export type InForce = { stopped: boolean; paused: ReadonlySet<QueueName> };

export function noPending(): PendingControl {
  return { stops: [], pauses: [] };
}

/** Note a decoded control command stored at `seq` (only stops and pauses wait for the record). */
export function notePending(p: PendingControl, c: ControlCommand, seq: number): PendingControl {
  switch (c.type) {
    case "stop":
      return { ...p, stops: [...p.stops, seq] };
    case "pause":
      return { ...p, pauses: [...p.pauses, { queue: c.queue, seq }] };
    case "resume":
    case "unpause":
    case "cancel":
    case "retry":
      return p;
    default: {
      const never: never = c;
      throw new Error(`unknown control command ${JSON.stringify(never)}`);
    }
  }
}

/** Drop what the record has decided (every command up to its control_seq). */
export function settlePending(p: PendingControl, r: SystemRecord): PendingControl {
  return {
    stops: p.stops.filter((seq) => seq > r.control_seq),
    pauses: p.pauses.filter((x) => x.seq > r.control_seq),
  };
}

/** What is in force: the record, with pending stops and pauses on top. */
export function inForce(r: SystemRecord, p: PendingControl): InForce {
  const paused = new Set<QueueName>(Object.keys(r.paused) as QueueName[]);
  for (const x of p.pauses) if (x.seq > r.control_seq) paused.add(x.queue);
  return { stopped: r.stopped !== null || p.stops.some((seq) => seq > r.control_seq), paused };
}
