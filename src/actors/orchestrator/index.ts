// The orchestrator: a process manager over the event stream.

export { specKey } from "../../core/ids.ts";
export type { Command, DecideConfig, OrchestratorInput } from "../../core/orchestrator/commands.ts";
export { decide } from "../../core/orchestrator/decide.ts";
export * from "../../core/orchestrator/planning.ts";
export {
  evolve,
  initialState,
  type JobState,
  type OrchestratorState,
} from "../../core/orchestrator/state.ts";
export * from "../../core/protocol/prompts.ts";
export { Orchestrator, type OrchestratorOptions } from "./orchestrator.ts";
