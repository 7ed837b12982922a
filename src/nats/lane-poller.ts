// Where the next work message comes from, without asking the server about every lane each time:
// per-lane estimates of waiting messages come from the wake-up subscription (a publish names its
// lane) and from each pulled message's `pending`; the server is asked (consumer info) only when
// no lane seems to have work, at most every REFRESH_MS. One pull request asks for as many messages
// as the worker has free slots and the picked lane seems to hold, so a worker with room for N tasks
// claims a backlog in one round trip instead of N.
import { type Consumer, type JetStreamClient, type JetStreamManager, jetstream } from "@nats-io/jetstream";
import type { WorkItem } from "../core/events/index.ts";
import { laneKeyOfSubject, STREAM_WORK, workConsumerName } from "../core/events/index.ts";
import type { Delivery } from "../core/ports/delivery.ts";
import { type Lane, LaneScheduler, laneKey } from "../core/worker/lanes.ts";
import type { Connection } from "./connection.ts";
import { type RejectContext, workDelivery } from "./delivery.ts";

const REFRESH_MS = 250;
const PULL_EXPIRES_MS = 1000;

export class LanePoller {
  private readonly scheduler = new LaneScheduler();
  private readonly consumers = new Map<string, Consumer>();
  /** Estimated undelivered messages per lane key. */
  private readonly waiting = new Map<string, number>();
  /** Work messages this worker holds per lane key. */
  private readonly held = new Map<string, number>();
  private lastRefresh = 0;
  private delayedPoll: Promise<void> | undefined;

  private readonly js: JetStreamClient;
  private jsm: JetStreamManager | undefined;

  constructor(
    nc: Connection,
    /** Who records a message that is no work item. */
    private readonly reject: RejectContext,
    /** Called with a redelivered (nak'd, delayed) message found by a background poll. */
    private readonly onDelayed: (d: Delivery<WorkItem>) => void,
  ) {
    this.js = jetstream(nc);
  }

  /** A message was published on a work subject (core NATS sees JetStream publishes too). */
  noticePublish(subject: string): void {
    const key = laneKeyOfSubject(subject);
    this.waiting.set(key, (this.waiting.get(key) ?? 0) + 1);
  }

  /** Track that this worker holds (or released) a message of the lane its subject names. */
  hold(subject: string, delta: 1 | -1): void {
    const key = laneKeyOfSubject(subject);
    this.held.set(key, Math.max((this.held.get(key) ?? 0) + delta, 0));
  }

  /**
   * Up to `max` work items from the one lane the scheduler picks among lanes with work, in one pull
   * request; each is handed to `onItem` as it arrives (the caller has a free slot for each, so none
   * waits here). Returns how many arrived.
   *
   * The batch is at most what the lane seems to hold: a pull request stays open on the server until
   * it is filled or expires, and one asking for more than waits would keep other lanes (a better
   * band's new work) unpulled until it expires. It is never cut short either: the server would
   * still deliver into it, and those messages would sit unseen until their ack wait ran out.
   */
  async take(lanes: Lane[], max: number, onItem: (d: Delivery<WorkItem>) => void): Promise<number> {
    let withWork = lanes.filter((l) => (this.waiting.get(laneKey(l)) ?? 0) > 0);
    if (withWork.length === 0 && Date.now() - this.lastRefresh >= REFRESH_MS) {
      await this.refresh(lanes);
      withWork = lanes.filter((l) => (this.waiting.get(laneKey(l)) ?? 0) > 0);
    }
    const lane = this.scheduler.pick(withWork);
    if (!lane || max < 1) return 0;
    const key = laneKey(lane);
    const batch = Math.max(1, Math.min(max, this.waiting.get(key) ?? 1));
    const msgs = await (await this.consumer(lane)).fetch({ max_messages: batch, expires: PULL_EXPIRES_MS });
    let got = 0;
    for await (const msg of msgs) {
      got++;
      this.waiting.set(key, msg.info.pending);
      const d = await workDelivery(msg, this.reject);
      if (d) onItem(d);
    }
    if (got === 0) this.waiting.set(key, 0);
    return got;
  }

  /** Ask the server what waits in each lane; start a background poll where delayed items may be due. */
  private async refresh(lanes: Lane[]): Promise<void> {
    this.lastRefresh = Date.now();
    // Read what this worker holds before asking, so an ack racing the answer cannot fake a delayed item.
    const held = lanes.map((l) => this.held.get(laneKey(l)) ?? 0);
    this.jsm ??= await this.js.jetstreamManager(false);
    const jsm = this.jsm;
    const infos = await Promise.all(
      lanes.map((l) => jsm.consumers.info(STREAM_WORK, workConsumerName(l)).catch(() => null)),
    );
    lanes.forEach((l, i) => {
      this.waiting.set(laneKey(l), infos[i]?.num_pending ?? 0);
    });
    // Items put back with a delay (rate limits, stop/resume) are ack-pending, not pending.
    const delayed = lanes.filter((_, i) => (infos[i]?.num_ack_pending ?? 0) > (held[i] ?? 0));
    const pick = delayed[Math.floor(Math.random() * delayed.length)];
    if (pick && !this.delayedPoll) this.delayedPoll = this.pollDelayed(pick);
  }

  private async pollDelayed(lane: Lane): Promise<void> {
    try {
      const msg = await (await this.consumer(lane)).next({ expires: PULL_EXPIRES_MS });
      const d = msg ? await workDelivery(msg, this.reject) : undefined;
      if (d) {
        this.onDelayed(d);
        this.lastRefresh = 0; // others may be due too (a resume after a stop): look again at once
      }
    } catch {
      // A failed poll is retried at the next refresh.
    } finally {
      this.delayedPoll = undefined;
    }
  }

  private async consumer(lane: Lane): Promise<Consumer> {
    const key = laneKey(lane);
    let c = this.consumers.get(key);
    if (!c) {
      c = await this.js.consumers.get(STREAM_WORK, workConsumerName(lane));
      this.consumers.set(key, c);
    }
    return c;
  }
}
