// Requests whose replies come back on one inbox subscription per connection, instead of a nats.js
// request each: JetStream publishes (their acks) and the per-task message get. Why: nats-core 3.4's
// RequestOne, on every *successful* reply, builds `new RequestError("cancelled")` (a stack capture)
// to reject its already-settled promise, and each request also arms a timer and a Promise.race;
// bench/inbox-replies-micro.ts measured ~60 µs of CPU per js.publish against ~30 µs this way
// (docs/benchmarks.md, "CPU per lifecycle, second pass"). The errors stay those nats.js gives:
// JetStreamApiError for a refusal (a wrong last sequence among them), TimeoutError, RequestError
// for no responders, a publish permission violation, or a closed connection.
import { type ApiError, JetStreamApiError } from "@nats-io/jetstream";
import {
  createInbox,
  headers,
  type Msg,
  type MsgHdrs,
  NoRespondersError,
  PermissionViolationError,
  RequestError,
  type Subscription,
  TimeoutError,
} from "@nats-io/transport-node";
import type { Connection } from "./connection.ts";

/** The server's answer to a stored publish. */
export type PubAck = { stream: string; seq: number; duplicate: boolean };

export type PubOptions = {
  /** Nats-Msg-Id: the server drops a second message with the same id inside its window. */
  msgID: string;
  /** Nats-Expected-Last-Subject-Sequence: refused (JetStreamApiError) when the subject moved past it. */
  expectedLastSubjectSequence?: number | undefined;
  headers?: MsgHdrs | undefined;
  /** How long to wait for the ack (ms). */
  timeoutMs: number;
};

type Pending = {
  subject: string;
  deadline: number;
  resolve: (reply: Msg) => void;
  reject: (err: Error) => void;
};

/** How often pending publishes are checked against their deadline (ms). */
const SWEEP_MS = 100;

const decoder = new TextDecoder();
const byConnection = new WeakMap<Connection, InboxReplies>();

/** The one InboxReplies of a connection (its inbox subscription is shared by every store on it). */
export function repliesOf(nc: Connection): InboxReplies {
  let p = byConnection.get(nc);
  if (!p) {
    p = new InboxReplies(nc);
    byConnection.set(nc, p);
  }
  return p;
}

export class InboxReplies {
  private readonly inbox: string;
  private readonly pending = new Map<string, Pending>();
  private sub: Subscription | undefined;
  private sweeper: ReturnType<typeof setInterval> | undefined;
  private next = 0;

  constructor(private readonly nc: Connection) {
    // The connection's own inbox prefix (what its permissions allow it to subscribe to), read as
    // @nats-io/jetstream's consumers read it.
    const prefix = (nc as Connection & { options?: { inboxPrefix?: string } }).options?.inboxPrefix;
    this.inbox = `${createInbox(prefix)}.`;
  }

  /** Publish to a stream's subject and wait for the server's ack. */
  async publish(subject: string, data: Uint8Array, o: PubOptions): Promise<PubAck> {
    const h = o.headers ?? headers();
    h.set("Nats-Msg-Id", o.msgID);
    if (o.expectedLastSubjectSequence !== undefined)
      h.set("Nats-Expected-Last-Subject-Sequence", String(o.expectedLastSubjectSequence));
    const v = apiReply<{ stream?: string; seq?: number; duplicate?: boolean }>(
      await this.request(subject, data, { headers: h, timeoutMs: o.timeoutMs }),
    );
    if (!v.stream || typeof v.seq !== "number") throw new Error("invalid ack response");
    return { stream: v.stream, seq: v.seq, duplicate: v.duplicate === true };
  }

  /** A request whose reply comes on this connection's inbox subscription (a JetStream API call, say). */
  request(subject: string, data: Uint8Array, o: { headers?: MsgHdrs; timeoutMs: number }): Promise<Msg> {
    return new Promise<Msg>((resolve, reject) => {
      try {
        this.listen();
        const token = (this.next++).toString(36);
        this.pending.set(token, { subject, deadline: Date.now() + o.timeoutMs, resolve, reject });
        this.armSweeper();
        try {
          this.nc.publish(subject, data, {
            reply: this.inbox + token,
            ...(o.headers ? { headers: o.headers } : {}),
          });
        } catch (err) {
          this.pending.delete(token);
          throw err;
        }
      } catch (err) {
        reject(err as Error);
      }
    });
  }

  /** Subscribe to the inbox once, and settle what is pending when the connection closes for good. */
  private listen(): void {
    if (this.sub) return;
    this.sub = this.nc.subscribe(`${this.inbox}*`, { callback: (_err, m) => this.answer(m) });
    this.nc
      .closed()
      .then(() => this.failAll(() => new RequestError("connection closed")))
      .catch(() => undefined);
    void this.watchPermissions();
  }

  private answer(m: Msg): void {
    const token = m.subject.slice(this.inbox.length);
    const p = this.pending.get(token);
    if (!p) return; // timed out before the reply came
    this.pending.delete(token);
    if (m.data.length === 0 && m.headers?.code === 503)
      p.reject(new RequestError("no responders", { cause: new NoRespondersError(p.subject) }));
    else p.resolve(m);
  }

  /** A publish the server refused to this user fails at once, as nats.js fails its request. */
  private async watchPermissions(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type !== "error" || !(s.error instanceof PermissionViolationError)) continue;
      const e = s.error;
      if (e.operation !== "publish") continue;
      for (const [token, p] of this.pending) {
        if (p.subject !== e.subject) continue;
        this.pending.delete(token);
        p.reject(new RequestError(e.message, { cause: e }));
        break;
      }
    }
  }

  private armSweeper(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [token, p] of this.pending) {
      if (p.deadline > now) continue;
      this.pending.delete(token);
      p.reject(new TimeoutError());
    }
    if (this.pending.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private failAll(error: () => Error): void {
    for (const p of this.pending.values()) p.reject(error());
    this.pending.clear();
  }
}

/** A JetStream API reply's JSON, or its error as the JetStreamApiError nats.js throws. */
export function apiReply<T>(m: Msg): T {
  let v: T & { error?: ApiError };
  try {
    v = JSON.parse(decoder.decode(m.data));
  } catch (err) {
    throw new Error(`invalid JetStream API response: ${(err as Error).message}`);
  }
  if (v.error) throw new JetStreamApiError(v.error);
  return v;
}
