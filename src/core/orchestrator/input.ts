// Decode a message of the AGENTS stream into an orchestrator input, by subject.
import { decodeControl } from "../control/index.ts";
import {
  AgentEvent,
  decodeWith,
  excerpt,
  MSG_ID_HEADER,
  misplaced,
  type Parsed,
  parseWith,
  SOURCE_HEADER,
  Subjects,
  Submission,
} from "../events/index.ts";
import type { StoredMessage } from "../ports/event-store.ts";
import type { OrchestratorInput } from "./commands.ts";

const decoder = new TextDecoder();

/** Map a stored message to a submit, control or event input; issues mean it is rejected. */
export function decodeInput(m: StoredMessage, maxSubmitBytes: number): Parsed<OrchestratorInput> {
  if (m.subject === Subjects.submit) return { ok: true, value: decodeSubmit(m, maxSubmitBytes) };
  if (m.subject.startsWith("agents.control.")) {
    const c = decodeControl(m.subject, m.data);
    return c.ok ? { ok: true, value: { kind: "control", seq: m.seq, body: c.value } } : c;
  }
  const e = decodeWith(AgentEvent, m.data);
  if (!e.ok) return e;
  // The subject says who could have written it (NATS permissions): a type out of place is refused.
  const why = misplaced(m.subject, e.value);
  if (why) return { ok: false, issues: [{ path: "type", message: why }] };
  return { ok: true, value: { kind: "event", seq: m.seq, event: e.value } };
}

/** Who published a submission, from its Agents-Source header (any other value counts as nats). */
function sourceOf(m: StoredMessage): "gateway" | "nats" | "cli" {
  const v = m.header(SOURCE_HEADER);
  return v === "gateway" || v === "cli" ? v : "nats";
}

/** A submission is never terminated: a bad one becomes a job.rejected event naming the field. */
function decodeSubmit(m: StoredMessage, maxBytes: number): OrchestratorInput {
  const source = sourceOf(m);
  const ex = excerpt(m.data, 500);
  let raw: unknown;
  const key = () => {
    const fromBody =
      raw && typeof raw === "object" && "idempotency_key" in raw && typeof raw.idempotency_key === "string"
        ? raw.idempotency_key
        : undefined;
    return fromBody ?? m.header(MSG_ID_HEADER) ?? `seq:${m.seq}`;
  };
  if (m.data.byteLength > maxBytes) {
    const issue = { path: "", message: `submission is ${m.data.byteLength} bytes; the limit is ${maxBytes}` };
    return {
      kind: "submit",
      source,
      seq: m.seq,
      parsed: { ok: false, issues: [issue] },
      excerpt: ex,
      key: `seq:${m.seq}`,
    };
  }
  try {
    raw = JSON.parse(decoder.decode(m.data));
  } catch (err) {
    const issue = { path: "", message: `not JSON: ${(err as Error).message}` };
    return {
      kind: "submit",
      source,
      seq: m.seq,
      parsed: { ok: false, issues: [issue] },
      excerpt: ex,
      key: key(),
    };
  }
  return { kind: "submit", source, seq: m.seq, parsed: parseWith(Submission, raw), excerpt: ex, key: key() };
}
