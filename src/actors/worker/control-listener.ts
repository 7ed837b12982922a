// What a worker obeys, and when: the system state the orchestrator recorded (the agents-system KV
// bucket, read at start and watched), plus every valid stop or pause stored on agents.control.*
// after that record (followed on the stream), so a stop is immediate even while no orchestrator
// runs. Resume and unpause take effect once recorded. Every control message is decoded by the one
// rule the orchestrator uses: garbage is ignored here (the orchestrator records its rejection).
import { setTimeout as sleep } from "node:timers/promises";
import {
  decodeControl,
  type InForce,
  inForce,
  initialSystem,
  noPending,
  notePending,
  type PendingControl,
  type SystemRecord,
  settlePending,
} from "../../core/control/index.ts";
import { errorMessage } from "../../core/errors.ts";
import { type QueueName, Subjects } from "../../core/events/index.ts";
import type { StoredMessage } from "../../core/ports/event-store.ts";
import type { Logger } from "../../core/ports/logger.ts";
import type { Connection } from "../../nats/connection.ts";
import type { JetStreamEventStore } from "../../nats/event-store.ts";
import { SystemRecords } from "../../nats/system-record.ts";

export type ControlHandlers = {
  /** An emergency stop came into force: stop running agents. */
  onStop(): void;
  onCancel(c: { job_id?: string | undefined; task_id?: string | undefined }): void;
  /** What is in force changed (the worker may take work again). */
  onChange(): void;
};

export class ControlListener {
  private record: SystemRecord = initialSystem();
  private pending: PendingControl = noPending();
  private current: InForce = { stopped: false, paused: new Set() };
  private readonly abort = new AbortController();
  private running: Promise<unknown>[] = [];

  constructor(
    private readonly nc: Connection,
    private readonly log: Logger,
    private readonly h: ControlHandlers,
  ) {}

  /** Whether an emergency stop is in force (recorded, or stored and not decided yet). */
  get stopped(): boolean {
    return this.current.stopped;
  }

  /** Queues this worker must take no new work from. */
  get paused(): ReadonlySet<QueueName> {
    return this.current.paused;
  }

  /** Read the record and the control commands stored after it, then follow both. */
  async start(events: JetStreamEventStore): Promise<void> {
    const records = await SystemRecords.open(this.nc, this.log);
    this.record = await records.read();
    const reader = events.reader;
    const last = await reader.lastSequence(Subjects.control);
    for await (const m of reader.readRange({
      filter: Subjects.control,
      fromSeq: this.record.control_seq + 1,
      toSeq: last,
    }))
      this.onMessage(m);
    this.update();
    const signal = this.abort.signal;
    this.running = [
      records.watch((r) => this.onRecord(r), signal),
      this.follow(events, Math.max(last, this.record.control_seq) + 1, signal),
    ];
  }

  async close(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.running);
  }

  private async follow(events: JetStreamEventStore, fromSeq: number, signal: AbortSignal): Promise<void> {
    let from = fromSeq;
    while (!signal.aborted) {
      try {
        for await (const m of events.reader.follow({ filter: Subjects.control, fromSeq: from, signal })) {
          from = m.seq + 1;
          this.onMessage(m);
          this.update();
        }
      } catch (err) {
        if (signal.aborted) return;
        this.log.warn({ err: errorMessage(err) }, "following control commands failed; following again");
      }
      await sleep(1000, undefined, { signal }).catch(() => undefined);
    }
  }

  private onRecord(r: SystemRecord): void {
    if (r.control_seq < this.record.control_seq) return;
    this.record = r;
    this.pending = settlePending(this.pending, r);
    this.update();
  }

  private onMessage(m: StoredMessage): void {
    if (m.seq <= this.record.control_seq) return;
    const c = decodeControl(m.subject, m.data);
    if (!c.ok) {
      this.log.debug({ subject: m.subject, seq: m.seq }, "control message ignored: it does not decode");
      return;
    }
    if (c.value.type === "cancel") this.h.onCancel(c.value);
    this.pending = notePending(this.pending, c.value, m.seq);
  }

  /** Take in what is in force now; an emergency stop that begins stops running agents. */
  private update(): void {
    const next = inForce(this.record, this.pending);
    const was = this.current;
    this.current = next;
    if (!was.stopped && next.stopped) {
      this.log.warn("emergency stop: stopping running agents and taking no work");
      this.h.onStop();
    } else if (was.stopped && !next.stopped) this.log.info("resumed: taking work again");
    for (const q of next.paused) if (!was.paused.has(q)) this.log.info({ queue: q }, "queue paused");
    for (const q of was.paused) if (!next.paused.has(q)) this.log.info({ queue: q }, "queue unpaused");
    this.h.onChange();
  }
}
