// Seeing events as they are published, on a core NATS subscription (no JetStream cost): how the
// benchmarks learn when each job completed, whichever process published it.
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { nowMs } from "./stats.ts";

/** A seen event: its type and ids, and when this process saw it. */
export type Seen = { type: string; job_id?: string; task_id?: string; at: number };

export type EventTap = {
  /** Call `fn` for every event published on a subject filter. */
  tap(filter: string, fn: (e: Seen) => void): Subscription;
  /** Unsubscribe every tap. */
  close(): void;
};

export function eventTap(nc: NatsConnection): EventTap {
  const decoder = new TextDecoder();
  const subs: Subscription[] = [];
  return {
    tap(filter, fn) {
      const sub = nc.subscribe(filter, {
        callback: (_err, m) => {
          try {
            const e = JSON.parse(decoder.decode(m.data)) as Partial<Seen>;
            if (typeof e.type === "string") fn({ ...e, type: e.type, at: nowMs() });
          } catch {}
        },
      });
      subs.push(sub);
      return sub;
    },
    close() {
      for (const s of subs) s.unsubscribe();
    },
  };
}
