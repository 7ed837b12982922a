// The consumer's delivery sequences seen in one pull session: each delivery (a redelivery too) gets
// the next one, so a jump means a delivery that never reached this client. On an AckPolicy.All
// consumer that matters: an ack of a later message would ack the missing one as well.

export class DeliveryChain {
  /** `delivered`: the consumer's delivery sequence before the first delivery this chain sees. */
  constructor(private last: number) {}

  /** Take the next delivery's sequence in; false (and not taken) when it does not follow the last one. */
  next(deliverySeq: number): boolean {
    if (deliverySeq !== this.last + 1) return false;
    this.last = deliverySeq;
    return true;
  }

  /** What is wrong with `deliverySeq`, refused by `next`. */
  gapMessage(deliverySeq: number): string {
    const from = this.last + 1;
    if (deliverySeq <= this.last) return `delivery ${deliverySeq} arrived after ${this.last}`;
    const missing = deliverySeq - 1 === from ? `delivery ${from}` : `deliveries ${from}–${deliverySeq - 1}`;
    return `${missing} never arrived (delivery ${deliverySeq} did)`;
  }
}
