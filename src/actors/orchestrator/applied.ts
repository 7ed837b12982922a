// The events already applied to the orchestrator's state (its own, stored by its decisions, and
// those a catch-up read): skipped when the consumer brings them. Known by event id and by stream
// sequence, so an echo is recognised from its sequence alone, before its headers or body are
// decoded (a header block costs tens of µs to parse; most of the orchestrator's inputs are echoes).
export class Applied {
  private readonly bySeq = new Map<number, string>();
  private readonly byId = new Map<string, number>();

  add(id: string, seq: number): void {
    this.byId.set(id, seq);
    this.bySeq.set(seq, id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Forget the event (it is to be decided on again); true when it was here. */
  delete(id: string): boolean {
    const seq = this.byId.get(id);
    if (seq === undefined) return false;
    this.byId.delete(id);
    this.bySeq.delete(seq);
    return true;
  }

  /** The message at `seq` is an event applied here: forget it (it came back once) and say so. */
  takeEcho(seq: number): boolean {
    const id = this.bySeq.get(seq);
    if (id === undefined) return false;
    this.bySeq.delete(seq);
    this.byId.delete(id);
    return true;
  }
}
