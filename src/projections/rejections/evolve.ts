// Read model of rejected input (collection rejections): messages a consumer terminated and
// submissions the orchestrator refused. Serves listRejections.
import type { AgentEvent } from "../../core/events/index.ts";
import type { FoldContext } from "../context.ts";
import { docKey } from "../keys.ts";

export type Rejection = {
  _key: string;
  seq: number;
  kind: "message" | "submission";
  subject: string;
  /** Sequence of the rejected message in its stream. */
  stream_seq: number;
  consumer: string | null;
  job_id: string | null;
  reason: string;
  excerpt: string;
  occurred_at: string;
};

/** The key of a rejection's document: its event id. */
export function rejectionKey(event: AgentEvent): string {
  return docKey(event.id);
}

/** Record a rejection; any other event leaves the document as it is. */
export function evolveRejections(
  doc: Rejection | null,
  event: AgentEvent,
  ctx: FoldContext,
): Rejection | null {
  const common = { _key: rejectionKey(event), seq: ctx.seq, occurred_at: event.occurred_at };
  switch (event.type) {
    case "message.rejected": {
      const d = event.data;
      return {
        ...common,
        kind: "message",
        subject: d.subject,
        stream_seq: d.stream_seq,
        consumer: d.consumer,
        job_id: event.job_id ?? null,
        reason: d.reason,
        excerpt: d.excerpt,
      };
    }
    case "job.rejected": {
      const d = event.data;
      return {
        ...common,
        kind: "submission",
        subject: "agents.submit",
        stream_seq: d.submit_seq,
        consumer: null,
        job_id: event.job_id ?? null,
        reason: d.reasons.map((r) => `${r.path || "(root)"}: ${r.message}`).join("; "),
        excerpt: d.excerpt.slice(0, 1000),
      };
    }
    default:
      return doc;
  }
}

/** Newest first. */
export function newestRejectionFirst(a: Rejection, b: Rejection): number {
  return b.seq - a.seq;
}
