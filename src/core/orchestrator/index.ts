// The orchestrator's pure part: its state (a fold of the stream), its decisions, its inputs.
export * from "./commands.ts";
export { decide } from "./decide.ts";
export { decodeInput } from "./input.ts";
export * from "./planning.ts";
export { evolve, initialState, type JobState, type OrchestratorState, openIterations } from "./state.ts";
export { workItemFor } from "./tasks.ts";
