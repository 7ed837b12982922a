// The orchestrator's pure part: its state (a fold of the stream), its decisions, its inputs, and the
// reconciler's rules for stuck work.
export * from "./commands.ts";
export { decide } from "./decide.ts";
export { decodeInput } from "./input.ts";
export * from "./planning.ts";
export * from "./reconcile.ts";
export {
  evolve,
  initialState,
  isStopped,
  type JobState,
  type OrchestratorState,
  openIterations,
  restoreJob,
  tidyJob,
} from "./state.ts";
export { workItemFor } from "./tasks.ts";
