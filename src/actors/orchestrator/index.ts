// The orchestrator actor: a shell that leads under a lease, folds the stream into the core's state,
// runs the core's decisions and publishes what they say (the decisions are in src/core/orchestrator).
export { Orchestrator, type OrchestratorOptions } from "./orchestrator.ts";
