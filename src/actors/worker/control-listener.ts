// Listens to agents.control.* on core NATS, so running agents stop at once, and knows whether an
// emergency stop is in force (the later of the last stop and the last resume in the stream).
import {
  ControlCancel,
  ControlQueue,
  decodeWith,
  type QueueName,
  Subjects,
} from "../../core/events/index.ts";
import type { EventStore } from "../../core/ports/event-store.ts";
import type { Logger } from "../../core/ports/logger.ts";
import { type Connection, listen } from "../../nats/connection.ts";

export type ControlHandlers = {
  onStop(): void;
  onCancel(c: { job_id?: string | undefined; task_id?: string | undefined }): void;
  onChange(): void;
};

export class ControlListener {
  stopped = false;
  readonly paused = new Set<QueueName>();
  private sub: { close(): void } | undefined;

  constructor(
    private readonly nc: Connection,
    private readonly log: Logger,
    private readonly h: ControlHandlers,
  ) {}

  /** Subscribe first, then read the stream's last stop/resume, so nothing slips between. */
  async start(events: EventStore): Promise<void> {
    this.sub = listen(this.nc, Subjects.control, (subject, data) => this.onMessage(subject, data));
    const seqOf = (subject: string) => events.lastSequence(subject).catch(() => 0);
    const [stop, resume] = await Promise.all([seqOf(Subjects.controlStop), seqOf(Subjects.controlResume)]);
    if (stop > resume) this.stopped = true;
  }

  close(): void {
    this.sub?.close();
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
