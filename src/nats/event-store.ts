// The typed publisher: msgID = event id (dedup), optional expected last subject sequence.
import { JetStreamApiCodes, JetStreamApiError, type JetStreamClient, jetstream } from "@nats-io/jetstream";
import { headers, type MsgHdrs, type NatsConnection } from "@nats-io/transport-node";
import { ConcurrencyError } from "../core/errors.ts";
import type { AgentEvent } from "../core/events/catalogue/index.ts";
import { encodeJson } from "../core/events/codec.ts";

export type PublishOptions = {
  /** Fail with ConcurrencyError unless the subject's last sequence is this (0: subject is empty). */
  expectedLastSubjectSequence?: number;
  /** Publish ack timeout (ms). Default 5000. */
  timeoutMs?: number;
  /** Extra NATS headers (e.g. Agents-Source on a submission). */
  headers?: Record<string, string>;
};

export type Published = { seq: number; duplicate: boolean; stream: string };

export class EventPublisher {
  readonly js: JetStreamClient;
  constructor(nc: NatsConnection) {
    this.js = jetstream(nc);
  }

  /** Append one event to a subject; a repeat of the same event id is stored once. */
  async publish(subject: string, event: AgentEvent, opts: PublishOptions = {}): Promise<Published> {
    return this.publishRaw(subject, encodeJson(event), event.id, opts);
  }

  /** Publish any JSON payload with a dedup id (work items, control commands). */
  async publishJson(
    subject: string,
    payload: unknown,
    msgID: string,
    opts: PublishOptions = {},
  ): Promise<Published> {
    return this.publishRaw(subject, encodeJson(payload), msgID, opts);
  }

  private async publishRaw(
    subject: string,
    bytes: Uint8Array,
    msgID: string,
    opts: PublishOptions,
  ): Promise<Published> {
    const expect =
      opts.expectedLastSubjectSequence === undefined
        ? undefined
        : { lastSubjectSequence: opts.expectedLastSubjectSequence };
    try {
      const ack = await this.js.publish(subject, bytes, {
        msgID,
        timeout: opts.timeoutMs ?? 5000,
        ...(expect ? { expect } : {}),
        ...(opts.headers ? { headers: toHeaders(opts.headers) } : {}),
      });
      return { seq: ack.seq, duplicate: ack.duplicate, stream: ack.stream };
    } catch (err) {
      if (isWrongLastSequence(err)) {
        throw new ConcurrencyError(subject, opts.expectedLastSubjectSequence ?? -1, err);
      }
      throw err;
    }
  }
}

function toHeaders(record: Record<string, string>): MsgHdrs {
  const h = headers();
  for (const [k, v] of Object.entries(record)) h.set(k, v);
  return h;
}

/** True when the server refused a publish because the subject moved past the expected sequence. */
export function isWrongLastSequence(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
      err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}
