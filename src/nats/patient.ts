// Writes that wait for NATS to come back: a worker whose agent finished while NATS was away keeps
// trying to store the output and the outcome (with backoff, up to its patience) instead of failing
// the run and throwing a paid answer away. Only transient failures are retried; a conflict (another
// worker took the task) or a refusal goes through at once. Reads are not patient: they fail fast.
import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage } from "../core/errors.ts";
import type { AgentEvent } from "../core/events/index.ts";
import type { ArtifactStore } from "../core/ports/artifact-store.ts";
import type { Appended, AppendOptions, EventStore } from "../core/ports/event-store.ts";
import type { Logger } from "../core/ports/logger.ts";
import { isTransient } from "./connection.ts";

export type Patience = {
  /** Longest time one write keeps retrying (ms). */
  patienceMs: number;
  log: Logger;
  /** Give up at once when this says so (the worker is shutting down). */
  givingUp?: () => boolean;
};

const FIRST_DELAY_MS = 200;
const MAX_DELAY_MS = 2000;

/** Run `op` until it succeeds, fails for a reason other than NATS being away, or patience runs out. */
export async function patiently<T>(what: string, op: () => Promise<T>, p: Patience): Promise<T> {
  const started = Date.now();
  let delay = FIRST_DELAY_MS;
  let told = false;
  for (;;) {
    try {
      const out = await op();
      if (told) p.log.info({ what, waited_ms: Date.now() - started }, "saved after NATS came back");
      return out;
    } catch (err) {
      if (!isTransient(err) || p.givingUp?.() || Date.now() - started + delay > p.patienceMs) throw err;
      if (!told)
        p.log.warn({ what, err: errorMessage(err) }, "NATS unreachable; retrying the save until it is back");
      told = true;
      await sleep(delay);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  }
}

/** The event store with patient writes (the dedup id makes a retried append store once). */
export function patientEvents(events: EventStore, p: Patience): EventStore {
  return {
    append: (subject: string, event: AgentEvent, o?: AppendOptions): Promise<Appended> =>
      patiently(`${event.type} on ${subject}`, () => events.append(subject, event, o), p),
    appendJson: (subject, payload, id, o) =>
      patiently(`message on ${subject}`, () => events.appendJson(subject, payload, id, o), p),
    lastEvent: (subject) => events.lastEvent(subject),
    lastSequence: (filter) => events.lastSequence(filter),
    eventAt: (seq) => events.eventAt(seq),
    read: (filter, range) => events.read(filter, range),
    follow: (filter, fromSeq, signal) => events.follow(filter, fromSeq, signal),
  };
}

/** The artifact store with patient writes (a key is overwritten whole, so a retry is harmless). */
export function patientArtifacts(artifacts: ArtifactStore, p: Patience): ArtifactStore {
  return {
    putText: (key, text) => patiently(`artifact ${key}`, () => artifacts.putText(key, text), p),
    getText: (key) => artifacts.getText(key),
    findText: (key) => artifacts.findText(key),
  };
}
