// Decisions on control commands (stop, resume, cancel, pause) published on agents.control.*.
import { type AgentEvent, newEvent, Subjects } from "../events/index.ts";
import type { Command, DecideContext, OrchestratorInput } from "./commands.ts";
import { cancelTask } from "./decide-job.ts";
import type { OrchestratorState } from "./state.ts";
import { appendToJob } from "./tasks.ts";

/** Turn a control command into recorded events. */
export function decideControl(
  state: OrchestratorState,
  input: Extract<OrchestratorInput, { kind: "control" }>,
  ctx: DecideContext,
): Command[] {
  const c = input.body;
  const cause = `control-${input.seq}`;
  const system = (event: AgentEvent): Command => ({ kind: "append", subject: Subjects.system, event });
  const meta = { causation_id: cause, now: ctx.now };
  switch (c.type) {
    case "stop":
      return state.stopped ? [] : [system(newEvent("system.stopped", { reason: c.reason }, meta))];
    case "resume":
      return state.stopped ? [system(newEvent("system.resumed", { reason: c.reason }, meta))] : [];
    case "pause":
      return state.paused.has(c.queue)
        ? []
        : [system(newEvent("queue.paused", { queue: c.queue, reason: c.reason }, meta))];
    case "unpause":
      return state.paused.has(c.queue) ? [system(newEvent("queue.resumed", { queue: c.queue }, meta))] : [];
    case "cancel": {
      if (c.task_id) return cancelTask(state.tasks.get(c.task_id), c.reason, cause, ctx);
      const job = c.job_id ? state.jobs.get(c.job_id) : undefined;
      if (job?.status !== "active") return [];
      return [appendToJob(job.job_id, "job.cancelled", { reason: c.reason }, cause, ctx)];
    }
    default: {
      const never: never = c;
      throw new Error(`unknown control command ${JSON.stringify(never)}`);
    }
  }
}
