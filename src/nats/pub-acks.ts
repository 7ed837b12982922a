// JetStream publishes whose acks come back on one inbox subscription per connection, instead of a
// nats.js request per publish. Why: nats-core 3.4's RequestOne, on every *successful* reply, builds
// `new RequestError("cancelled")` (a stack capture) to reject its already-settled promise, and each
// request also arms a timer and a Promise.race; a micro benchmark measured ~50 µs of CPU per
// js.publish against ~20 µs this way (docs/benchmarks.md, "CPU per lifecycle, second pass").
// The errors stay those of js.publish: JetStreamApiError for a refusal (a wrong last sequence among
// them), TimeoutError, RequestError for no responders, a publish permission violation, or a closed
// connection.
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
  resolve: (ack: PubAck) => void;
  reject: (err: Error) => void;
};

/** How often pending publishes are checked against their deadline (ms). */
const SWEEP_MS = 100;

const decoder = new TextDecoder();
const byConnection = new WeakMap<Connection, PubAcks>();

/** The one PubAcks of a connection (its inbox subscription is shared by every store on it). */
export function pubAcksOf(nc: Connection): PubAcks {
  let p = byConnection.get(nc);
  if (!p) {
    p = new PubAcks(nc);
    byConnection.set(nc, p);
  }
  return p;
}

export class PubAcks {
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
  publish(subject: string, data: Uint8Array, o: PubOptions): Promise<PubAck> {
    return new Promise<PubAck>((resolve, reject) => {
      try {
        this.listen();
        const h = o.headers ?? headers();
        h.set("Nats-Msg-Id", o.msgID);
        if (o.expectedLastSubjectSequence !== undefined)
          h.set("Nats-Expected-Last-Subject-Sequence", String(o.expectedLastSubjectSequence));
        const token = (this.next++).toString(36);
        this.pending.set(token, { subject, deadline: Date.now() + o.timeoutMs, resolve, reject });
        this.armSweeper();
        try {
          this.nc.publish(subject, data, { reply: this.inbox + token, headers: h });
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
    if (!p) return; // timed out before the ack came
    this.pending.delete(token);
    if (m.data.length === 0 && m.headers?.code === 503) {
      p.reject(new RequestError("no responders", { cause: new NoRespondersError(p.subject) }));
      return;
    }
    let v: { stream?: string; seq?: number; duplicate?: boolean; error?: ApiError };
    try {
      v = JSON.parse(decoder.decode(m.data));
    } catch (err) {
      p.reject(new Error(`invalid ack response: ${(err as Error).message}`));
      return;
    }
    if (v.error) p.reject(new JetStreamApiError(v.error));
    else if (!v.stream || typeof v.seq !== "number") p.reject(new Error("invalid ack response"));
    else p.resolve({ stream: v.stream, seq: v.seq, duplicate: v.duplicate === true });
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
