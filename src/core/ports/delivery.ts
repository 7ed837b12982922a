// One message handed to a handler, with what may be done about it. The JetStream adapter builds it
// from a work message (src/nats/delivery.ts); handlers never see the client library's message.

/** What to do with a message once it was handled. */
export type DeliveryAction =
  /** Done with it: the outcome is stored (or it was stale). */
  | { kind: "ack" }
  /** Put it back; it comes again after `delayMs`. */
  | { kind: "nak"; delayMs: number }
  /** Leave it alone (another worker owns the task now; it is redelivered or acked elsewhere). */
  | { kind: "none" };

export type Delivery<T> = {
  readonly item: T;
  /** Delivered before: its last handler went silent (or put it back). */
  readonly redelivered: boolean;
  /** The subject it arrived on (its work lane). */
  readonly subject: string;
  /** When it was stored in the stream (ms since the epoch): its dispatch time. */
  readonly storedAt: number;
  /** Still working on it: do not redeliver it yet. */
  working(): void;
  /** Done with it; resolves once the server has it (a lost ack only means a redelivery). */
  ack(): Promise<void>;
  /** Put it back, to come again after `delayMs`. */
  nak(delayMs: number): void;
  /** It can never be handled: end it and record why (a message.rejected event). */
  term(reason: string): Promise<void>;
};

/** Carry out a handler's decision on its delivery. */
export async function settle<T>(d: Delivery<T>, action: DeliveryAction): Promise<void> {
  switch (action.kind) {
    case "ack":
      return d.ack();
    case "nak":
      return d.nak(action.delayMs);
    case "none":
      return;
    default: {
      const never: never = action;
      throw new Error(`unknown delivery action ${JSON.stringify(never)}`);
    }
  }
}
