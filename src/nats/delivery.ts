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
  if (!parsed.ok) {
    await rejectWork(m, r, formatIssues(parsed.issues));
    return undefined;
  }
  return new WorkDelivery(m, r, parsed.value);
}

function rejectWork(m: JsMsg, r: RejectContext, reason: string): Promise<void> {
  return rejectMessage(m, { stream: STREAM_WORK, consumer: "worker", events: r.events, log: r.log }, reason);
}

// A class, not an object of closures: a worker holds one for every running task, for as long as
// its agent runs, and the methods on the prototype cost nothing per task.
class WorkDelivery implements Delivery<WorkItem> {
  readonly redelivered: boolean;
  readonly subject: string;
  readonly storedAt: number;

  constructor(
    private readonly m: JsMsg,
    private readonly r: RejectContext,
    readonly item: WorkItem,
  ) {
    this.redelivered = m.info.redelivered;
    this.subject = m.subject;
    this.storedAt = m.time.getTime();
  }

  working(): void {
    this.m.working();
  }

  async ack(): Promise<void> {
    await this.m.ackAck().catch(() => false);
  }

  nak(delayMs: number): void {
    this.m.nak(delayMs);
  }

  term(reason: string): Promise<void> {
    return rejectWork(this.m, this.r, reason);
  }
}
