// Submissions the way another service makes them: plain JSON on `agents.submit` with an idempotency
// key, retried with the same key until the server acknowledges it. Only acknowledged submissions
// count as submitted: those are the ones the system has promised to finish.

import { setTimeout as sleep } from "node:timers/promises";
import type { JetStreamClient } from "@nats-io/jetstream";
import { Subjects } from "../../src/core/events/index.ts";
import { jobIdFor } from "../../src/core/ids.ts";

export type SubmissionBody = { spec: string; count?: number | "infinite" } & Record<string, unknown>;

/** How long one submission is retried before it is given up (and not counted as submitted). */
const GIVE_UP_MS = 60_000;

export class Submitter {
  /** Job id → stream sequence of its acknowledged submission. */
  readonly acked = new Map<string, number>();
  /** Submissions given up on (never acknowledged). */
  unacked = 0;
  private n = 0;

  constructor(
    private readonly js: JetStreamClient,
    private readonly label: string,
  ) {}

  /** Submit once; the job id when acknowledged, else undefined (after retrying for a minute). */
  async submit(body: SubmissionBody): Promise<string | undefined> {
    const key = `${this.label}-${process.pid}-${Date.now().toString(36)}-${this.n++}`;
    const jobId = jobIdFor(key);
    const payload = JSON.stringify({ count: 1, ...body, idempotency_key: key });
    const deadline = Date.now() + GIVE_UP_MS;
    for (;;) {
      try {
        const ack = await this.js.publish(Subjects.submit, payload, { msgID: key, timeout: 5_000 });
        this.acked.set(jobId, ack.seq);
        return jobId;
      } catch {
        // NATS is down or JetStream has no leader: a client retries with the same key (stored once).
        if (Date.now() > deadline) {
          this.unacked++;
          return undefined;
        }
        await sleep(500);
      }
    }
  }

  /** Submit `n` at once, at most `window` in flight; the acknowledged job ids. */
  async burst(n: number, body: (i: number) => SubmissionBody, window = 64): Promise<string[]> {
    const ids: string[] = [];
    const inflight = new Set<Promise<void>>();
    for (let i = 0; i < n; i++) {
      const p = this.submit(body(i)).then((id) => {
        if (id) ids.push(id);
      });
      const tracked = p.finally(() => inflight.delete(tracked));
      inflight.add(tracked);
      if (inflight.size >= window) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    return ids;
  }

  /** Submit `perSecond` a second until `signal` aborts (each waits for its own ack, in parallel). */
  async paced(perSecond: number, body: (i: number) => SubmissionBody, signal: AbortSignal): Promise<void> {
    const inflight = new Set<Promise<unknown>>();
    for (let i = 0; !signal.aborted; i++) {
      const p = this.submit(body(i)).finally(() => inflight.delete(p));
      inflight.add(p);
      await sleep(1000 / perSecond, undefined, { signal }).catch(() => undefined);
    }
    await Promise.all(inflight);
  }
}
