// One ack for a run of finished inputs, on a consumer with AckPolicy.All: an ack there covers every
// message at or below it, so acking the highest sequence below which every input is finished acks
// the whole run at once. Inputs finish out of order (inputs about different jobs run side by side);
// the floor waits for the oldest one unfinished, so nothing past an unfinished input is ever acked.
// Acks go out coalesced: one per flush, at most every ACK_EVERY_MS or once ACK_EVERY_INPUTS finished.
import type { JsMsg } from "@nats-io/jetstream";

/** How long a finished input may wait for its ack (ms): the floor a standby folds to lags by this. */
export const ACK_EVERY_MS = 10;
/** Inputs finished since the last ack that send one at once. */
export const ACK_EVERY_INPUTS = 256;

type Held = { msg: JsMsg; done: boolean };

export class AckFloor {
  /** Inputs delivered and not acked yet, in delivery (stream) order; `head` is the oldest. */
  private held: Array<Held | undefined> = [];
  private head = 0;
  private readonly bySeq = new Map<number, Held>();
  /** The highest stream sequence delivered, and the highest acked (the floor we sent). */
  private delivered = 0;
  private acked = 0;
  private finishedSinceAck = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  /** `onAck` is told of every ack sent (a metric). */
  constructor(private readonly onAck: () => void = () => undefined) {}

  /**
   * Take a delivered message in: true when it is new and must be handled; false for a redelivery of
   * one handled or held here already (acked again when at or below the floor, where that is safe).
   */
  deliveredMsg(m: JsMsg): boolean {
    if (m.seq > this.delivered) {
      this.delivered = m.seq;
      const h = { msg: m, done: false };
      this.held.push(h);
      this.bySeq.set(m.seq, h);
      return true;
    }
    if (m.seq <= this.acked && !this.closed) this.send(m);
    return false;
  }

  /** The input is finished (handled, or recorded as rejected): the floor may pass it. */
  finished(m: JsMsg): void {
    const h = this.bySeq.get(m.seq);
    if (!h || h.done) return;
    h.done = true;
    this.finishedSinceAck++;
    if (this.closed) return;
    if (this.finishedSinceAck >= ACK_EVERY_INPUTS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), ACK_EVERY_MS);
  }

  /**
   * Send no more acks: the lease was lost, and another leader may have recreated the consumer under
   * the same name, where an ack of ours (AckPolicy.All) would ack inputs it has not finished.
   */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Ack the run of finished inputs at the head, if there is one (also at the end of a tenure). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed) return;
    this.finishedSinceAck = 0;
    let last: JsMsg | undefined;
    for (let h = this.held[this.head]; h?.done; h = this.held[this.head]) {
      last = h.msg;
      this.bySeq.delete(h.msg.seq);
      // Let the acked message go now, not at the next compaction: up to a thousand acked
      // messages (and the socket buffers their payloads are slices of) stayed reachable otherwise.
      this.held[this.head] = undefined;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.held.length) {
      this.held = this.held.slice(this.head);
      this.head = 0;
    }
    if (!last) return;
    this.acked = last.seq;
    this.send(last);
    // Inputs finished behind an unfinished head wait: the head's own finish schedules the next flush.
  }

  /** Inputs delivered and not acked yet. */
  get pending(): number {
    return this.held.length - this.head;
  }

  private send(m: JsMsg): void {
    // Without waiting for the server's reply: a lost ack is covered by the next one, or by the next
    // tenure, which starts again after the floor (decisions are idempotent).
    m.ack();
    this.onAck();
  }
}
