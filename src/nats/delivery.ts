// A work message as a Delivery: the handler gets the decoded item and what it may do with the
// message, never the client library's message itself.
import type { JsMsg } from "@nats-io/jetstream";
import { formatIssues } from "../core/errors.ts";
import { decodeWith, STREAM_WORK, WorkItem } from "../core/events/index.ts";
import type { Delivery } from "../core/ports/delivery.ts";
import type { Logger } from "../core/ports/logger.ts";
import { rejectMessage } from "./consumer.ts";
import type { JetStreamEventStore } from "./event-store.ts";

/** Who records a rejected work message. */
export type RejectContext = { events: JetStreamEventStore; log: Logger };

/** The work message as a Delivery, or undefined when it is no work item (it is then rejected). */
export async function workDelivery(m: JsMsg, r: RejectContext): Promise<Delivery<WorkItem> | undefined> {
  const parsed = decodeWith(WorkItem, m.data);
  const reject = (reason: string) =>
    rejectMessage(m, { stream: STREAM_WORK, consumer: "worker", events: r.events, log: r.log }, reason);
  if (!parsed.ok) {
    await reject(formatIssues(parsed.issues));
    return undefined;
  }
  return {
    item: parsed.value,
    redelivered: m.info.redelivered,
    subject: m.subject,
    storedAt: m.time.getTime(),
    working: () => m.working(),
    ack: async () => {
      await m.ackAck().catch(() => false);
    },
    nak: (delayMs) => m.nak(delayMs),
    term: reject,
  };
}
