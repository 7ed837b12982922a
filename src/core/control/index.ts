// Control commands and the recorded system state (stop, pauses): one decoder for every consumer of
// agents.control.*, the state's fold and record, and what a worker obeys.
export { type ControlCommand, decodeControl } from "./commands.ts";
export {
  type InForce,
  inForce,
  noPending,
  notePending,
  type PendingControl,
  settlePending,
} from "./in-force.ts";
export {
  evolveSystem,
  initialSystem,
  pausedQueues,
  type Since,
  SystemRecord,
} from "./system-state.ts";
