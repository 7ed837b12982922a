// Server-Sent Events straight from the AGENTS stream. Each client gets its own ordered consumer, so
// clients never wait on each other; the SSE `id:` is the stream sequence, so `Last-Event-ID` resumes
// exactly after the last event a client saw. A client whose socket stops draining has a bounded
// buffer; once that overflows it is disconnected (it can resume by Last-Event-ID) instead of holding
// memory or anyone else up.
//
// Filters: NATS 2.9 allows one filter subject per consumer, and a job's tasks live on
// `agents.task.<jobId>-…`, which no wildcard can select (a token matches whole). So `task=` filters on
// the server (`agents.task.<id>`); `job=` reads `agents.>` from the job's first event and keeps the
// events whose job_id is the job (one consumer, stream order for free; two merged consumers would
// need a reorder buffer and still read every task subject).
import type { ServerResponse } from "node:http";
import type { FastifyBaseLogger } from "fastify";
import { type AgentEvent, Subjects } from "../core/events/index.ts";
import { eventOf, type StreamReader } from "../nats/stream-reader.ts";
import { type JobEnd, JobEndTracker } from "./job-end.ts";

export type SseFilter = { job?: string | undefined; task?: string | undefined };

export type SseOptions = { heartbeatMs: number; maxBuffered: number };

/** One connected client: writes go straight to the socket until it pushes back, then to a bounded queue. */
export class SseClient {
  private readonly queue: string[] = [];
  private closed = false;
  private finishing = false;
  private readonly closeHandlers: Array<() => void> = [];

  constructor(
    private readonly res: ServerResponse,
    private readonly maxBuffered: number,
    private readonly onDrop: (reason: "slow") => void,
  ) {
    res.on("drain", () => this.flush());
    res.on("close", () => this.close());
    // A client that hung up while its start was being looked up (before the stream opened) has
    // had its "close" already, and will not have another: closed now, or its consumer would
    // follow the stream for nobody until its inactive threshold (5 minutes).
    if (res.destroyed) this.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Queue a frame; false once the client is gone (closed, or dropped for falling behind). */
  send(frame: string): boolean {
    if (this.closed) return false;
    if (this.queue.length === 0 && !this.res.writableNeedDrain) {
      this.res.write(frame);
      return true;
    }
    this.queue.push(frame);
    if (this.queue.length > this.maxBuffered) {
      this.onDrop("slow");
      this.res.destroy();
      this.close();
      return false;
    }
    return true;
  }

  /** A heartbeat comment, skipped while frames are waiting (the socket is busy anyway). */
  ping(): void {
    if (this.queue.length === 0) this.send(": ping\n\n");
  }

  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.closeHandlers.push(fn);
  }

  /**
   * End the response once every queued frame is written (close() drops them): how a stream that is
   * done, such as a job's after its `end` frame, ends.
   */
  finish(): void {
    if (this.queue.length === 0) this.close();
    else this.finishing = true;
  }

  /** End the response and run the close handlers once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.res.destroyed) this.res.end();
    for (const fn of this.closeHandlers.splice(0)) fn();
  }

  private flush(): void {
    while (this.queue.length > 0 && !this.closed) {
      const frame = this.queue.shift() as string;
      if (!this.res.write(frame)) return;
    }
    if (this.finishing && this.queue.length === 0) this.close();
  }
}

/** The clients connected now; closed together when the gateway stops. */
export class SseClients {
  private readonly live = new Set<SseClient>();

  get size(): number {
    return this.live.size;
  }

  add(c: SseClient): void {
    this.live.add(c);
    c.onClose(() => this.live.delete(c));
  }

  closeAll(): void {
    for (const c of [...this.live]) c.close();
  }
}

/** One SSE frame for an event at a stream sequence. */
export function frame(seq: number, event: AgentEvent): string {
  return `id: ${seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** The consumer filter subject and the in-process test for a filter. */
export function subjectFor(f: SseFilter): { subject: string; keep: (e: AgentEvent) => boolean } {
  if (f.task) {
    const task = f.task;
    return {
      subject: Subjects.task(task),
      keep: (e) => !f.job || belongsToJob(e, f.job) || e.task_id === task,
    };
  }
  if (f.job) {
    const job = f.job;
    return { subject: Subjects.all, keep: (e) => belongsToJob(e, job) };
  }
  return { subject: Subjects.all, keep: () => true };
}

function belongsToJob(e: AgentEvent, job: string): boolean {
  return e.job_id === job || (e.task_id?.startsWith(`${job}-`) ?? false);
}

/**
 * Where a client's stream reads from and what it sends. It sends what comes after `lastEventId`
 * when resuming; else a task's whole history, a job's history from its first event, or (no filter)
 * only what comes next. A job's stream always reads from the job's first event, sending only what
 * the client has not seen, so it knows which of the job's tasks are open and can end with the job.
 */
export type StreamPlan = {
  /** First stream sequence read. */
  from: number;
  /** Events at or below this sequence are read but not sent (the client has them). */
  sentUpTo: number;
  /** The stream's last sequence when the client connected. */
  lastAtConnect: number;
};

export async function planStream(
  reader: StreamReader,
  f: SseFilter,
  lastEventId: number | undefined,
): Promise<StreamPlan> {
  // Read after last_seq: an event published in between has a sequence above it, so none is missed.
  const { last_seq } = await reader.bounds();
  const sentUpTo = lastEventId ?? 0;
  const next = lastEventId !== undefined ? lastEventId + 1 : undefined;
  if (f.task) return { from: next ?? 1, sentUpTo, lastAtConnect: last_seq };
  if (!f.job) return { from: next ?? last_seq + 1, sentUpTo, lastAtConnect: last_seq };
  const first = await reader.firstSequence(Subjects.job(f.job));
  return { from: first ?? next ?? last_seq + 1, sentUpTo, lastAtConnect: last_seq };
}

/** The `end` frame a job's stream closes with: how the job ended. */
export function endFrame(seq: number, end: JobEnd): string {
  return `id: ${seq}\nevent: end\ndata: ${JSON.stringify(end)}\n\n`;
}

/**
 * Pump events matching the filter into the client until it closes. A job's stream (job= without
 * task=) ends by itself: once the job has ended and none of its tasks is open, it sends an `end`
 * frame and closes. That is judged only from the stream's end as it was when the client connected:
 * an end found in the history (a job that a retry re-opened later) does not close the stream early.
 */
export async function pumpEvents(
  reader: StreamReader,
  client: SseClient,
  f: SseFilter,
  plan: StreamPlan,
  log: FastifyBaseLogger,
): Promise<void> {
  const { subject, keep } = subjectFor(f);
  const tracker = f.job && !f.task ? new JobEndTracker(f.job) : undefined;
  // The client's going ends the follow, which deletes its consumer on the server at once.
  const gone = new AbortController();
  client.onClose(() => gone.abort());
  for await (const m of reader.follow({
    filter: subject,
    fromSeq: Math.max(1, plan.from),
    signal: gone.signal,
  })) {
    if (client.isClosed) break;
    const e = eventOf(m);
    // Commands (agents.submit, agents.control.*) and invalid messages are not events: skip them.
    if (e && keep(e.event)) {
      tracker?.observe(e.event, m.seq);
      if (m.seq > plan.sentUpTo && !client.send(frame(m.seq, e.event))) break;
    }
    const end = tracker?.ended;
    if (end && m.seq >= plan.lastAtConnect) {
      client.send(endFrame(m.seq, end));
      log.debug({ filter: f, end }, "sse job stream ended with its job");
      // Frames still queued for a slow socket go out first, the `end` frame last.
      client.finish();
      break;
    }
  }
  log.debug({ filter: f }, "sse client done");
}

/** Start streaming on a hijacked response: headers, retry hint, heartbeats, then the pump. */
export function openStream(res: ServerResponse, o: SseOptions, onDrop: (r: "slow") => void): SseClient {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  res.flushHeaders();
  const client = new SseClient(res, o.maxBuffered, onDrop);
  client.send("retry: 2000\n\n");
  const timer = setInterval(() => client.ping(), o.heartbeatMs);
  timer.unref();
  client.onClose(() => clearInterval(timer));
  return client;
}
