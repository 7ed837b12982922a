// The live feed: one EventSource on the gateway's SSE stream for the whole page. Frames are queued
// as they arrive and handed to the views in batches (every BATCH_MS), so a burst of thousands of
// events costs a few renders, not thousands. Each event carries its stream sequence; a view compares
// it with the projection checkpoint its data was read at, to know whether to read again.
import type { AgentEvent, AgentEventType } from "../../src/core/events/catalogue/index.ts";

export type LiveEvent = AgentEvent & { seq: number };
export type LiveStatus = "connecting" | "live" | "reconnecting";
type Listener = (batch: readonly LiveEvent[]) => void;

/** Every event type: SSE frames are named by type, and EventSource needs a listener per name. */
export const EVENT_TYPES = [
  "job.submitted",
  "job.accepted",
  "job.rejected",
  "job.wave_planned",
  "job.iteration_ended",
  "job.completed",
  "job.cancelled",
  "job.budget_exceeded",
  "job.reopened",
  "critique.recorded",
  "critique.unparseable",
  "task.created",
  "task.queued",
  "task.started",
  "task.progress",
  "task.handoff_requested",
  "task.completed",
  "task.failed",
  "validation.failed",
  "task.retry_scheduled",
  "task.dead_lettered",
  "task.cancel_requested",
  "task.cancelled",
  "task.interrupted",
  "task.requeued",
  "system.stopped",
  "system.resumed",
  "queue.paused",
  "queue.resumed",
  "message.rejected",
  "model.day_budget_spent",
] as const satisfies readonly AgentEventType[];
// A type added to the catalogue must be added above, or this line stops compiling.
const complete: [Exclude<AgentEventType, (typeof EVENT_TYPES)[number]>] extends [never] ? true : never = true;
void complete;

const BATCH_MS = 150;
/** Events the feed keeps for the events view. */
export const RECENT = 500;

export type LiveStats = { received: number; applied: number; batches: number; lastSeq: number };

class LiveBus {
  status: LiveStatus = "connecting";
  readonly stats: LiveStats = { received: 0, applied: 0, batches: 0, lastSeq: 0 };
  /** Newest last. */
  readonly recent: LiveEvent[] = [];
  private source: EventSource | null = null;
  private queue: LiveEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly listeners = new Set<Listener>();
  private readonly statusListeners = new Set<() => void>();

  /** Connect, resuming after stream sequence `after` (what the first reads already reflect). */
  start(after: number): void {
    if (this.source) return;
    const es = new EventSource(`/v1/agents/events?last_event_id=${Math.max(0, Math.floor(after))}`);
    this.source = es;
    const onFrame = (m: MessageEvent<string>) => this.receive(m);
    for (const type of EVENT_TYPES) es.addEventListener(type, onFrame);
    es.onopen = () => this.setStatus("live");
    // EventSource reconnects by itself, sending Last-Event-ID: nothing is missed.
    es.onerror = () => this.setStatus(es.readyState === EventSource.CLOSED ? "connecting" : "reconnecting");
  }

  stop(): void {
    this.source?.close();
    this.source = null;
    this.setStatus("connecting");
  }

  /** Hear every batch of events; returns the unsubscribe. */
  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  onStatus(fn: () => void): () => void {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  }

  private setStatus(s: LiveStatus): void {
    if (this.status === s) return;
    this.status = s;
    for (const fn of this.statusListeners) fn();
  }

  private receive(m: MessageEvent<string>): void {
    let event: AgentEvent;
    try {
      event = JSON.parse(m.data) as AgentEvent;
    } catch {
      return;
    }
    const seq = Number(m.lastEventId);
    this.stats.received += 1;
    this.queue.push({ ...event, seq });
    this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  private flush(): void {
    this.timer = null;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    this.recent.push(...batch);
    if (this.recent.length > RECENT) this.recent.splice(0, this.recent.length - RECENT);
    this.stats.lastSeq = batch.at(-1)?.seq ?? this.stats.lastSeq;
    for (const fn of this.listeners) {
      try {
        fn(batch);
      } catch (err) {
        console.warn("a live view failed on a batch", err);
      }
    }
    this.stats.applied += batch.length;
    this.stats.batches += 1;
  }
}

/** The page's one feed. */
export const live = new LiveBus();
