// The task lifecycle: statuses, allowed transitions, and the task aggregate.
export * from "./task-state.ts";
export * from "./transitions.ts";
