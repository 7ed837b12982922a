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

export type SseFilter = { job?: string | undefined; task?: string | undefined };

export type SseOptions = { heartbeatMs: number; maxBuffered: number };

/** One connected client: writes go straight to the socket until it pushes back, then to a bounded queue. */
export class SseClient {
  private readonly queue: string[] = [];
  private closed = false;
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
 * The first sequence to send: right after `lastEventId` when resuming; else a task's whole history,
 * a job's history from its first event, or (no filter) only what comes next.
 */
export async function startSequence(
  reader: StreamReader,
  f: SseFilter,
  lastEventId: number | undefined,
): Promise<number> {
  if (lastEventId !== undefined) return lastEventId + 1;
  if (f.task) return 1;
  const { last_seq } = await reader.bounds();
  if (!f.job) return last_seq + 1;
  // Read after last_seq: an event published in between has a sequence above last_seq, so none is missed.
  return (await reader.firstSequence(Subjects.job(f.job))) ?? last_seq + 1;
}

/** Pump events matching the filter from `fromSeq` into the client until it closes. */
export async function pumpEvents(
  reader: StreamReader,
  client: SseClient,
  f: SseFilter,
  fromSeq: number,
  log: FastifyBaseLogger,
): Promise<void> {
  const { subject, keep } = subjectFor(f);
  // The client's going ends the follow, which deletes its consumer on the server at once.
  const gone = new AbortController();
  client.onClose(() => gone.abort());
  for await (const m of reader.follow({
    filter: subject,
    fromSeq: Math.max(1, fromSeq),
    signal: gone.signal,
  })) {
    if (client.isClosed) break;
    const e = eventOf(m);
    // Commands (agents.submit, agents.control.*) and invalid messages are not events: skip them.
    if (!e || !keep(e.event)) continue;
    if (!client.send(frame(m.seq, e.event))) break;
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
