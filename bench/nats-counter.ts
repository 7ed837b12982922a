// Counts what a connection sends to the server, by kind (event publish, consumer info, pull, ack…),
// so the benchmark can say how many round trips one task lifecycle costs. It wraps the protocol
// handler's publish, which every outgoing message (publishes, requests, pulls, acks) goes through.
import type { NatsConnection } from "@nats-io/transport-node";

export type Counts = Record<string, number>;

type Publish = (subject: string, payload?: unknown, options?: { reply?: string }) => void;
type WithProtocol = { protocol?: { publish?: Publish } };

const decoder = new TextDecoder();

/** The kind of one outgoing message, from its subject (and, for acks, its payload). */
export function kindOf(subject: string, payload: unknown, reply: string | undefined): string {
  if (subject.startsWith("$JS.ACK.")) {
    const head = payload instanceof Uint8Array ? decoder.decode(payload.subarray(0, 4)) : String(payload);
    if (head.startsWith("+WPI")) return "ack: working";
    if (head.startsWith("-NAK")) return "ack: nak";
    if (head.startsWith("+TERM")) return "ack: term";
    return reply ? "ack: ackAck (request)" : "ack: ack";
  }
  if (subject.startsWith("$JS.API.")) {
    const parts = subject.split(".");
    // $JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>, $JS.API.DIRECT.GET.<stream>, $JS.API.STREAM.INFO.<s>
    const verb = parts[3] === "MSG" || parts[3] === "DURABLE" ? parts.slice(2, 5) : parts.slice(2, 4);
    return `api: ${verb.join(".").toLowerCase()}`;
  }
  if (subject.startsWith("$O.")) return "publish: object store";
  if (subject.startsWith("agents.work.")) return "publish: work item";
  if (subject === "agents.submit") return "publish: submission";
  if (subject.startsWith("agents.")) return reply ? "publish: event" : "publish: core (no ack)";
  if (subject.startsWith("$JS.FC.")) return "flow control";
  return reply ? "request: other" : "publish: other";
}

/** Live counts of one connection's outgoing messages by kind. */
export class NatsCounter {
  private counts: Counts = {};

  constructor(nc: NatsConnection) {
    const proto = (nc as unknown as WithProtocol).protocol;
    const original = proto?.publish;
    if (!proto || !original) throw new Error("cannot count: this nats.js has no protocol.publish");
    proto.publish = (subject, payload, options) => {
      const kind = kindOf(subject, payload, options?.reply);
      this.counts[kind] = (this.counts[kind] ?? 0) + 1;
      original.call(proto, subject, payload, options);
    };
  }

  /** A copy of the counts so far. */
  snapshot(): Counts {
    return { ...this.counts };
  }
}

/** What was counted between two snapshots. */
export function diffCounts(after: Counts, before: Counts): Counts {
  const out: Counts = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d > 0) out[k] = d;
  }
  return out;
}

/** The sum of all kinds. */
export function totalOf(c: Counts): number {
  return Object.values(c).reduce((a, b) => a + b, 0);
}
