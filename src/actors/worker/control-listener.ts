// Listens to agents.control.* on core NATS, so running agents stop at once, and knows whether an
// emergency stop is in force (the later of the last stop and the last resume in the stream).
import type { JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import {
  ControlCancel,
  ControlQueue,
  decodeWith,
  type QueueName,
  STREAM_EVENTS,
  Subjects,
} from "../../core/events/index.ts";
import type { Logger } from "../../observability/logger.ts";

export type ControlHandlers = {
  onStop(): void;
  onCancel(c: { job_id?: string | undefined; task_id?: string | undefined }): void;
  onChange(): void;
};

export class ControlListener {
  stopped = false;
  readonly paused = new Set<QueueName>();
  private sub: Subscription | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly log: Logger,
    private readonly h: ControlHandlers,
  ) {}

  /** Subscribe first, then read the stream's last stop/resume, so nothing slips between. */
  async start(jsm: JetStreamManager): Promise<void> {
    this.sub = this.nc.subscribe(Subjects.control, {
      callback: (_err, m) => this.onMessage(m.subject, m.data),
    });
    const seqOf = async (subject: string) =>
      (await jsm.streams.getMessage(STREAM_EVENTS, { last_by_subj: subject }).catch(() => null))?.seq ?? 0;
    const [stop, resume] = await Promise.all([seqOf(Subjects.controlStop), seqOf(Subjects.controlResume)]);
    if (stop > resume) this.stopped = true;
  }

  close(): void {
    this.sub?.unsubscribe();
  }

  private onMessage(subject: string, data: Uint8Array): void {
    switch (subject) {
      case Subjects.controlStop:
        this.stopped = true;
        this.log.warn("emergency stop: stopping running agents and taking no work");
        this.h.onStop();
        break;
      case Subjects.controlResume:
        this.stopped = false;
        this.log.info("resumed: taking work again");
        break;
      case Subjects.controlCancel: {
        const c = decodeWith(ControlCancel, data);
        if (c.ok) this.h.onCancel(c.value);
        break;
      }
      case Subjects.controlPause:
      case Subjects.controlUnpause: {
        const q = decodeWith(ControlQueue, data);
        if (!q.ok) break;
        if (subject === Subjects.controlPause) this.paused.add(q.value.queue);
        else this.paused.delete(q.value.queue);
        break;
      }
      default:
        break;
    }
    this.h.onChange();
  }
}
