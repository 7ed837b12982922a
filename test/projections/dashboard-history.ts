// The small history plus what the dashboard's queries need: a job with a long spec, and the
// system's stop, resume and queue pauses as the orchestrator records them.
import { type AgentEventType, type EventData, newEvent, Subjects } from "../../src/core/events/index.ts";
import { smallHistory } from "./history.ts";
import { buildMessage, Lane, type WorkloadMessage } from "./workload-script.ts";

export const LONG_SPEC = `Write a long report. ${"Every section counts. ".repeat(60)}`.trim();

const BASE_TIME = Date.UTC(2025, 0, 1);

/** The time of the n-th message (as buildMessage gives it). */
export const timeOf = (n: number) => new Date(BASE_TIME + n * 250).toISOString();

/** smallHistory, then job jl (long spec), then stop → pause standard and critic → unpause critic → resume → stop. */
export function dashboardHistory(): { messages: WorkloadMessage[]; firstStop: number; secondStop: number } {
  const messages = smallHistory();
  const long = new Lane("jl");
  long.job("job.submitted", { submission: { spec: LONG_SPEC, count: 1 }, source: "cli", submit_seq: 9 });
  for (const s of long.steps) messages.push(buildMessage(s, messages.length + 1, "d"));
  const system = <T extends AgentEventType>(type: T, data: EventData<T>) => {
    const n = messages.length + 1;
    const event = newEvent(type, data, { id: `de${n}`, now: BASE_TIME + n * 250 });
    messages.push({ kind: "event", subject: Subjects.system, event });
    return n;
  };
  system("system.stopped", { reason: "budget review" });
  system("system.stopped", { reason: "said twice" });
  system("queue.paused", { queue: "standard", reason: "provider maintenance" });
  system("queue.paused", { queue: "critic", reason: "critic model swap" });
  system("queue.resumed", { queue: "critic" });
  system("system.resumed", { reason: "review done" });
  const secondStop = system("system.stopped", { reason: "night" });
  const firstStop = messages.findIndex((m) => m.kind === "event" && m.event.type === "system.stopped") + 1;
  return { messages, firstStop, secondStop };
}
