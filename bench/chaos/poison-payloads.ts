// Payloads that are valid on no subject of ours: not JSON, the wrong JSON, too big, too deep, binary,
// commands with wrong or unknown fields, events that do not parse. An empty payload and `{}` are
// left out on purpose: on agents.control.stop and .resume they are valid commands (what `nats pub
// agents.control.stop ''` sends), not poison.
import { randomBytes } from "node:crypto";

const text = (s: string) => new TextEncoder().encode(s);

export const POISON: readonly Uint8Array[] = [
  text("not json"),
  text("{"),
  text("null"),
  text("[]"),
  text("42"),
  text('"a string"'),
  text("[".repeat(10_000)),
  randomBytes(256),
  text("\u0000"),
  text("x".repeat(100_000)),
  text('{"reason":123}'),
  text(`{"reason":"${"r".repeat(3_000)}"}`),
  text('{"reason":"x","unknown":true}'),
  text('{"queue":"nope"}'),
  text('{"job_id":"ja","task_id":"jb-i1-g"}'),
  text('{"task_id":{"$gt":""}}'),
  text('{"__proto__":{"polluted":true},"reason":1}'),
  text('{"type":"task.completed"}'),
  text('{"type":"no.such.event","data":{},"id":"x","schema_version":1,"occurred_at":"2020-01-01T00:00:00Z"}'),
  text('{"spec":"x","count":1,"model":"--dangerously-skip-permissions"}'),
];
