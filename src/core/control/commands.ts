// Control commands published on agents.control.* (plain JSON, so `nats pub` works), decoded by the
// one rule every consumer uses: a message that does not decode is rejected and changes nothing.
import {
  ControlCancel,
  ControlQueue,
  ControlRetry,
  ControlStopResume,
  decodeWith,
  type Parsed,
  type QueueName,
} from "../events/index.ts";

/** A command published on agents.control.*, decoded. */
export type ControlCommand =
  | { type: "stop"; reason: string }
  | { type: "resume"; reason: string }
  | { type: "cancel"; job_id?: string | undefined; task_id?: string | undefined; reason: string }
  | { type: "pause"; queue: QueueName; reason: string }
  | { type: "unpause"; queue: QueueName }
  | { type: "retry"; task_id: string; reason: string };

const PREFIX = "agents.control.";
const EMPTY = new TextEncoder().encode("{}");

/** Decode a control message by its subject; issues name what is wrong (then it must be rejected). */
export function decodeControl(subject: string, data: Uint8Array): Parsed<ControlCommand> {
  const verb = subject.startsWith(PREFIX) ? subject.slice(PREFIX.length) : "";
  // An empty body is `{}`: `nats pub agents.control.stop ""` stops with the default reason.
  const body = data.byteLength === 0 ? EMPTY : data;
  switch (verb) {
    case "stop":
    case "resume": {
      const p = decodeWith(ControlStopResume, body);
      return p.ok ? { ok: true, value: { type: verb, reason: p.value.reason ?? `${verb} requested` } } : p;
    }
    case "cancel": {
      const p = decodeWith(ControlCancel, body);
      return p.ok
        ? { ok: true, value: { type: "cancel", ...p.value, reason: p.value.reason ?? "cancel requested" } }
        : p;
    }
    case "pause":
    case "unpause": {
      const p = decodeWith(ControlQueue, body);
      if (!p.ok) return p;
      return verb === "pause"
        ? { ok: true, value: { type: "pause", queue: p.value.queue, reason: p.value.reason ?? "paused" } }
        : { ok: true, value: { type: "unpause", queue: p.value.queue } };
    }
    case "retry": {
      const p = decodeWith(ControlRetry, body);
      return p.ok
        ? {
            ok: true,
            value: { type: "retry", task_id: p.value.task_id, reason: p.value.reason ?? "retry requested" },
          }
        : p;
    }
    default:
      return { ok: false, issues: [{ path: "", message: `unknown control subject ${subject}` }] };
  }
}
