// `agents history TASK_ID [--json]`: a task's events in stream order, read from JetStream directly
// (NATS_URL), so it works without the gateway and shows exactly what the stream holds.
import { loadConfig } from "../../config/index.ts";
import { errorMessage } from "../../core/errors.ts";
import { type AgentEvent, Id, Subjects } from "../../core/events/index.ts";
import type { StoredEvent } from "../../core/ports/event-store.ts";
import { natsConnectOptions } from "../../nats/connect-options.ts";
import { connectNats } from "../../nats/connection.ts";
import { StreamReader } from "../../nats/stream-reader.ts";
import { parseCommand } from "../args.ts";
import { CliError, Exit, usage } from "../exit.ts";
import { firstLine, printJson, table } from "../format.ts";

/** A short description of what an event says. */
export function summary(e: AgentEvent): string {
  const d = e.data as Record<string, unknown>;
  switch (e.type) {
    case "task.created":
      // A v2 task.created queued the task too (no task.queued follows).
      return `${d.task_type} in ${d.queue}, iteration ${d.iteration}, model ${d.model}${d.queued ? ", queued" : ""}`;
    case "task.queued":
    case "task.started":
      return `attempt ${d.attempt}${d.worker_id ? ` on ${d.worker_id}` : ""}${d.model && e.type === "task.started" ? ` (${d.model})` : ""}`;
    case "task.completed":
    case "task.handoff_requested":
      return `${d.output_bytes} bytes in ${d.duration_ms} ms, ${d.model}, $${Number(d.cost_usd).toFixed(4)}`;
    case "task.failed":
      return `attempt ${d.attempt}: ${d.reason}: ${firstLine(String(d.error), 80)}`;
    case "task.retry_scheduled":
      return `attempt ${d.attempt} after ${d.delay_ms} ms`;
    default:
      return firstLine(JSON.stringify(d), 90);
  }
}

/** Print a task's history; exit 3 when the stream holds nothing for it. */
export async function runHistory(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    { json: { type: "boolean", default: false } },
    "usage: agents history TASK_ID [--json]",
  );
  const [taskId, ...rest] = positionals;
  if (!taskId || rest.length > 0) throw usage("usage: agents history TASK_ID [--json]");
  if (!Id.safeParse(taskId).success) throw usage(`"${taskId}" is not a task id`);
  const config = loadConfig();
  const nc = await connectNats(config.NATS_URL, "agents-cli", natsConnectOptions(config)).catch(
    (err: unknown) => {
      throw new CliError(`cannot reach NATS at ${config.NATS_URL}: ${errorMessage(err)}`, Exit.Failure);
    },
  );
  const events: StoredEvent[] = [];
  try {
    for await (const e of new StreamReader(nc).readEvents(Subjects.task(taskId))) events.push(e);
  } finally {
    await nc.close();
  }
  if (events.length === 0) throw new CliError(`the stream holds no events for task ${taskId}`, Exit.NotFound);
  if (values.json) printJson(events);
  else {
    const rows = events.map((e) => [e.seq, e.event.occurred_at, e.event.type, summary(e.event)]);
    process.stdout.write(`${table(["seq", "time", "event", "what"], rows)}\n`);
  }
  return Exit.Ok;
}
