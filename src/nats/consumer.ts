// The typed consumer loop: parse at the edge, term + record what can never be handled, bounded
// concurrency, ack only after the handler succeeded, and restart after transient failures. A
// consumer with AckPolicy.All (the orchestrator's) is acked a run at a time instead (see AckFloor),
// and never termed nor nak'd there: both would move or skip past its floor.
import { setTimeout as sleep } from "node:timers/promises";
import { type Consumer, type ConsumerMessages, type JsMsg, jetstream } from "@nats-io/jetstream";
import type { z } from "zod";
import { AgentsError, ErrorCode, errorMessage, formatIssues } from "../core/errors.ts";
import { decodeWith, excerpt, type Parsed } from "../core/events/codec.ts";
import { newEvent } from "../core/events/new-event.ts";
import { Subjects } from "../core/events/subjects.ts";
import { stableId } from "../core/ids.ts";
import type { StoredMessage } from "../core/ports/event-store.ts";
import type { Logger } from "../core/ports/logger.ts";
import type { AckFloor } from "./ack-floor.ts";
import type { Connection } from "./connection.ts";
import { DeliveryChain } from "./delivery-chain.ts";
import { JetStreamEventStore } from "./event-store.ts";
import { stored } from "./stream-reader.ts";

/** What to do with a message after its handler ran. Returning nothing means ack. */
export type Disposition =
  | { kind: "ack" }
  | { kind: "nak"; delayMs: number }
  | { kind: "term"; reason: string };

/** A message as a handler sees it: stored, and delivered this many times (1 the first time). */
export type ConsumedMessage = StoredMessage & { deliveryCount: number };

export type Handler<T> = (value: T, msg: ConsumedMessage) => Promise<Disposition | undefined>;

export type ConsumeOptions<S extends z.ZodType> = {
  stream: string;
  /** Durable consumer name (must exist: see provisionTopology or the actor's own setup). */
  consumer: string;
  schema: S;
  /** Custom decoding at the edge (default: JSON + schema). Issues mean the message is rejected. */
  decode?: (msg: StoredMessage) => Parsed<z.infer<S>>;
  handler: Handler<z.infer<S>>;
  /** Messages handled at once. Default 1 (in order). */
  concurrency?: number;
  log: Logger;
  signal: AbortSignal;
  /** Delay before redelivery after an unexpected handler error (ms); grows with deliveries. Default 1000. */
  retryDelayMs?: number;
  /** Messages pulled ahead of the handlers (the pull batch). Default: concurrency. */
  prefetch?: number;
  /**
   * Ack without waiting for the server's confirmation. Right for idempotent handlers: a lost ack
   * only means a redelivery. Default false (ackAck).
   */
  fastAck?: boolean;
  /**
   * The consumer has AckPolicy.All and is acked through this floor, a run of finished inputs at a
   * time. Then nothing is termed (on nats-server 2.9 a +TERM is an ack of everything below it) nor
   * nak'd (a later ack would cover the nak'd message): a failing input is retried here, holding the
   * floor, and after `maxAttempts` recorded as rejected, so the floor passes it.
   */
  ackAll?: AckFloor;
  /** Attempts at an input under `ackAll` before it is rejected. Default 8 (1 + 2 + … + 7 s of delays between them). */
  maxAttempts?: number;
};

/**
 * Consume a durable consumer until the signal aborts; never lets one bad message block the rest.
 * Under `ackAll` it rejects when consuming fails (see there); otherwise it restarts.
 */
export async function consumeLoop<S extends z.ZodType>(nc: Connection, o: ConsumeOptions<S>): Promise<void> {
  const js = jetstream(nc);
  const events = new JetStreamEventStore(nc);
  const limit = o.concurrency ?? 1;
  const inflight = new Set<Promise<void>>();
  while (!o.signal.aborted) {
    try {
      const consumer: Consumer = await js.consumers.get(o.stream, o.consumer);
      const messages = await consumer.consume({
        max_messages: Math.max(o.prefetch ?? limit, limit, 1),
        expires: PULL_EXPIRES_MS,
      });
      const onAbort = () => void messages.close();
      o.signal.addEventListener("abort", onAbort, { once: true });
      void reportMissedHeartbeats(messages, o);
      // From the consumer's delivered count when it was looked up (nats.js keeps that answer).
      const chain = new DeliveryChain((await consumer.info(true)).delivered.consumer_seq);
      try {
        for await (const m of messages) {
          if (o.ackAll && !chain.next(m.info.deliverySequence)) {
            // A delivery never reached us (a pull lost with a node, a connection, or taken by
            // another client): an ack past it would cover it. Nothing past it is taken in; the
            // tenure ends, and the next one's consumer starts at the floor and delivers it again.
            // Not awaited: close() waits for this very iteration to end.
            void messages.close().catch(() => undefined);
            throw new Error(chain.gapMessage(m.info.deliverySequence));
          }
          const handled = o.ackAll ? handleHeld(m, o, events, o.ackAll) : handleOne(m, o, events);
          const p = handled.finally(() => inflight.delete(p));
          inflight.add(p);
          if (inflight.size >= limit) await Promise.race(inflight);
        }
      } finally {
        o.signal.removeEventListener("abort", onAbort);
      }
    } catch (err) {
      if (o.signal.aborted) break;
      if (o.ackAll) {
        // The messages pulled ahead were dropped with the failed pull (nats.js throws before
        // yielding them), yet the server counts them delivered, and under AckPolicy.All an ack of a
        // later message would cover them: consuming on here could lose them. Only a consumer made
        // again at the ack floor delivers them again, so the caller starts over (a new tenure).
        await Promise.allSettled(inflight);
        o.ackAll.flush();
        throw new Error(
          `consumer ${o.consumer} failed (${errorMessage(err)}); start again from its ack floor`,
          {
            cause: err,
          },
        );
      }
      o.log.warn({ err: errorMessage(err), consumer: o.consumer }, "consumer failed; restarting");
    }
    if (!o.signal.aborted) await sleep(500, undefined, { signal: o.signal }).catch(() => undefined);
  }
  await Promise.allSettled(inflight);
}

/**
 * How long one pull waits on the server (ms). nats.js's consume sends idle heartbeats every half of
 * it and pulls again after two are missed, so a pull lost with a cluster node (a stream or consumer
 * leader killed) is noticed within this time, not its 30 s default.
 */
export const PULL_EXPIRES_MS = 2_000;

/** Log a pull that went quiet (nats.js pulls again by itself; a lost delivery ends the tenure). */
async function reportMissedHeartbeats<S extends z.ZodType>(
  messages: ConsumerMessages,
  o: ConsumeOptions<S>,
): Promise<void> {
  for await (const s of messages.status())
    if (s.type === "heartbeats_missed")
      o.log.warn({ consumer: o.consumer, missed: s.count }, "consumer heartbeats missed; pulling again");
}

async function handleOne<S extends z.ZodType>(
  m: JsMsg,
  o: ConsumeOptions<S>,
  events: JetStreamEventStore,
): Promise<void> {
  const msg = stored(m);
  const parsed = o.decode ? o.decode(msg) : decodeWith(o.schema, m.data);
  const where = { stream: o.stream, consumer: o.consumer, events, log: o.log };
  if (!parsed.ok) {
    await rejectMessage(m, where, formatIssues(parsed.issues));
    return;
  }
  let d: Disposition | undefined;
  try {
    d = await o.handler(parsed.value, { ...msg, deliveryCount: m.info.deliveryCount });
  } catch (err) {
    if (
      err instanceof AgentsError &&
      (err.code === ErrorCode.ValidationFailed || err.code === ErrorCode.IllegalTransition)
    ) {
      await rejectMessage(m, where, err.message);
      return;
    }
    const delayMs = Math.min((o.retryDelayMs ?? 1000) * m.info.deliveryCount, 30_000);
    o.log.warn(
      { err: errorMessage(err), subject: m.subject, seq: m.seq, delayMs },
      "handler failed; will retry",
    );
    m.nak(delayMs);
    return;
  }
  if (!d || d.kind === "ack") {
    if (o.fastAck) m.ack();
    else await m.ackAck().catch(() => false);
  } else if (d.kind === "nak") m.nak(d.delayMs);
  else await rejectMessage(m, where, d.reason);
}

/**
 * Handle one message of an AckPolicy.All consumer: it stays unfinished (holding the floor) until
 * handled or recorded as rejected; a failure is retried here after a growing delay. Aborted while
 * waiting to retry, it stays unfinished: the next tenure delivers it again.
 */
async function handleHeld<S extends z.ZodType>(
  m: JsMsg,
  o: ConsumeOptions<S>,
  events: JetStreamEventStore,
  floor: AckFloor,
): Promise<void> {
  if (!floor.deliveredMsg(m)) return; // a redelivery of an input handled or in hand here
  const msg = stored(m);
  const where = { stream: o.stream, consumer: o.consumer, events, log: o.log };
  const parsed = o.decode ? o.decode(msg) : decodeWith(o.schema, m.data);
  if (!parsed.ok) {
    await recordRejection(m, where, formatIssues(parsed.issues));
    floor.finished(m);
    return;
  }
  const maxAttempts = o.maxAttempts ?? 8;
  for (let attempt = 1; ; attempt++) {
    let retryIn: number;
    try {
      const d = await o.handler(parsed.value, { ...msg, deliveryCount: m.info.deliveryCount + attempt - 1 });
      if (!d || d.kind === "ack") break;
      if (d.kind === "term") {
        await recordRejection(m, where, d.reason);
        break;
      }
      retryIn = d.delayMs;
    } catch (err) {
      if (
        err instanceof AgentsError &&
        (err.code === ErrorCode.ValidationFailed || err.code === ErrorCode.IllegalTransition)
      ) {
        await recordRejection(m, where, err.message);
        break;
      }
      // Failed as the tenure ended (a lost lease, a stop): left unfinished for the next one.
      if (o.signal.aborted) return;
      if (attempt >= maxAttempts) {
        await recordRejection(m, where, `failed ${attempt} times; last: ${errorMessage(err)}`);
        break;
      }
      retryIn = Math.min((o.retryDelayMs ?? 1000) * attempt, 30_000);
      o.log.warn(
        { err: errorMessage(err), subject: m.subject, seq: m.seq, delayMs: retryIn, attempt },
        "handler failed; will retry",
      );
    }
    if (attempt >= maxAttempts) {
      await recordRejection(m, where, `still asked to retry after ${attempt} attempts`);
      break;
    }
    const slept = await sleep(retryIn, true, { signal: o.signal }).catch(() => false);
    if (!slept) return; // the tenure ended: unfinished, so delivered again after the floor
  }
  floor.finished(m);
}

/** Terminate a message that can never be handled and record why (message.rejected on agents.rejected). */
export async function rejectMessage(
  m: JsMsg,
  o: { stream: string; consumer: string; events: JetStreamEventStore; log: Logger },
  reason: string,
): Promise<void> {
  await recordRejection(m, o, reason);
  // No reason on the wire: nats-server 2.9 ignores "+TERM <reason>" and redelivers the message after
  // ack_wait, forever. The reason is in the message.rejected event.
  m.term();
}

/** Record why a message can never be handled (message.rejected on agents.rejected). */
async function recordRejection(
  m: JsMsg,
  o: { stream: string; consumer: string; events: JetStreamEventStore; log: Logger },
  reason: string,
): Promise<void> {
  o.log.warn({ subject: m.subject, seq: m.seq, consumer: o.consumer, reason }, "message rejected");
  const data = {
    subject: m.subject,
    stream: o.stream,
    stream_seq: m.seq,
    consumer: o.consumer,
    reason: reason.slice(0, 4000),
    excerpt: excerpt(m.data),
  };
  const id = stableId("rejected", o.stream, String(m.seq), o.consumer);
  try {
    await o.events.append(Subjects.rejected, newEvent("message.rejected", data, { id, now: Date.now() }));
  } catch (err) {
    o.log.error({ err: errorMessage(err), seq: m.seq }, "could not record rejection");
  }
}
