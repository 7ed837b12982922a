// The orchestrator: a process manager over the event stream.
export type { Command, DecideConfig, OrchestratorInput } from "./commands.ts";
export { decide } from "./decide.ts";
export { Orchestrator, type OrchestratorOptions } from "./orchestrator.ts";
export * from "./planning.ts";
export * from "./prompts.ts";
export { evolve, initialState, type JobState, type OrchestratorState, specKey } from "./state.ts";
