// Where the next work message comes from, without asking the server about every lane each time:
// per-lane estimates of waiting messages come from the wake-up subscription (a publish names its
// lane) and from each pulled message's `pending`; the server is asked (consumer info) only when
// no lane seems to have work, at most every REFRESH_MS. One pull request asks for as many messages
// as the worker has free slots and the picked lane seems to hold, so a worker with room for N tasks
// claims a backlog in one round trip instead of N. While no lane seems to hold work, a one-message
// pull stands open on each lane that had work lately, so the server pushes the next item the
// moment it is stored instead of the worker hearing of it and then asking for it.
import { type Consumer, type JetStreamClient, type JetStreamManager, jetstream } from "@nats-io/jetstream";
import type { WorkItem } from "../core/events/index.ts";
import { laneKeyOfSubject, STREAM_WORK, workConsumerName } from "../core/events/index.ts";
import type { Delivery } from "../core/ports/delivery.ts";
import { BAND_WEIGHTS, type Lane, LaneScheduler, laneKey } from "../core/worker/lanes.ts";
import type { Connection } from "./connection.ts";
import { type RejectContext, workDelivery } from "./delivery.ts";

const REFRESH_MS = 250;
const PULL_EXPIRES_MS = 1000;
/** A lane counts as lately busy this long after a publish on it (ms): pulls stand open only there. */
export const STANDING_AFTER_PUBLISH_MS = 10_000;

export class LanePoller {
  private readonly scheduler = new LaneScheduler();
  private readonly consumers = new Map<string, Consumer>();
  /** Estimated undelivered messages per lane key. */
  private readonly waiting = new Map<string, number>();
  /** Work messages this worker holds per lane key. */
  private readonly held = new Map<string, number>();
  private lastRefresh = 0;
  private delayedPoll: Promise<void> | undefined;
  /** When each lane last saw a publish (ms since epoch). */
  private readonly lastPublish = new Map<string, number>();
  /** One-message pulls standing open, by lane key: each holds one of the worker's slots. */
  private readonly standing = new Map<string, Promise<void>>();
  /** Messages standing pulls brought, by lane key. */
  private readonly stood = new Map<string, number>();

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
    this.lastPublish.set(key, Date.now());
  }

  /** Pulls standing open now (each holds a slot until it delivers its message or expires). */
  get standingPulls(): number {
    return this.standing.size;
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
    let withWork = lanes.filter((l) => this.unclaimed(laneKey(l)) > 0);
    if (withWork.length === 0 && Date.now() - this.lastRefresh >= REFRESH_MS) {
      await this.refresh(lanes);
      withWork = lanes.filter((l) => this.unclaimed(laneKey(l)) > 0);
    }
    const lane = this.scheduler.pick(withWork);
    if (!lane || max < 1) return 0;
    const key = laneKey(lane);
    const batch = Math.max(1, Math.min(max, this.unclaimed(key)));
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

  /**
   * Leave a one-message pull open on each lane among `lanes` that saw a publish lately and has none
   * (at most `max`, better bands first). Each hands its message to `onItem` and ends when it has
   * one or expires (PULL_EXPIRES_MS), then `onEnd` is called (to stand again). Call it only while
   * no lane seems to hold work: in a backlog the scheduler, not the server, picks the next lane.
   */
  stand(lanes: Lane[], max: number, onItem: (d: Delivery<WorkItem>) => void, onEnd: () => void): void {
    const now = Date.now();
    const lately = lanes
      .filter((l) => now - (this.lastPublish.get(laneKey(l)) ?? 0) < STANDING_AFTER_PUBLISH_MS)
      .filter((l) => !this.standing.has(laneKey(l)))
      .sort((a, b) => BAND_WEIGHTS[b.band] - BAND_WEIGHTS[a.band]);
    for (const lane of lately.slice(0, Math.max(0, max))) {
      const key = laneKey(lane);
      const pull = this.pullOne(lane, key, onItem).then(
        (ended) => {
          this.standing.delete(key);
          if (ended) onEnd();
        },
        () => {
          this.standing.delete(key);
        },
      );
      this.standing.set(key, pull);
    }
  }

  /** Resolves once no pull stands open (each ends within PULL_EXPIRES_MS). */
  async settle(): Promise<void> {
    while (this.standing.size > 0) await Promise.allSettled([...this.standing.values()]);
  }

  /**
   * Messages a lane seems to hold beyond what its standing pull will take: the server delivers the
   * first one stored into that pull, so fetching it as well would wait for a message that never comes.
   */
  private unclaimed(key: string): number {
    return (this.waiting.get(key) ?? 0) - (this.standing.has(key) ? 1 : 0);
  }

  /** One standing pull: true when it ended normally (delivered or expired), false when it failed. */
  private async pullOne(lane: Lane, key: string, onItem: (d: Delivery<WorkItem>) => void): Promise<boolean> {
    try {
      const msgs = await (await this.consumer(lane)).fetch({ max_messages: 1, expires: PULL_EXPIRES_MS });
      for await (const msg of msgs) {
        this.waiting.set(key, msg.info.pending);
        this.stood.set(key, (this.stood.get(key) ?? 0) + 1);
        const d = await workDelivery(msg, this.reject);
        if (d) onItem(d);
      }
      return true;
    } catch {
      // Not retried at once (a missing consumer would spin): the next idle pass stands again.
      return false;
    }
  }

  /** Ask the server what waits in each lane; start a background poll where delayed items may be due. */
  private async refresh(lanes: Lane[]): Promise<void> {
    this.lastRefresh = Date.now();
    // Read what this worker holds before asking, so an ack racing the answer cannot fake a delayed item.
    const held = lanes.map((l) => this.held.get(laneKey(l)) ?? 0);
    const stood = lanes.map((l) => this.stood.get(laneKey(l)) ?? 0);
    this.jsm ??= await this.js.jetstreamManager(false);
    const jsm = this.jsm;
    const infos = await Promise.all(
      lanes.map((l) => jsm.consumers.info(STREAM_WORK, workConsumerName(l)).catch(() => null)),
    );
    lanes.forEach((l, i) => {
      this.waiting.set(laneKey(l), infos[i]?.num_pending ?? 0);
    });
    // Items put back with a delay (rate limits, stop/resume) are ack-pending, not pending.
    // A standing pull may take a message while the answer is on its way (it is ack-pending before it
    // is held): such a lane is left to its standing pull, which gets any item that comes due anyway.
    const delayed = lanes.filter((l, i) => {
      const key = laneKey(l);
      if (this.standing.has(key) || (this.stood.get(key) ?? 0) !== stood[i]) return false;
      return (infos[i]?.num_ack_pending ?? 0) > (held[i] ?? 0);
    });
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
