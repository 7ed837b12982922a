// The worker's pure decisions: whether to claim a work item, what a run records and what becomes of
// its message, which lane to pull from next, and whether an executor takes work.
export * from "./after-run.ts";
export * from "./claim.ts";
export * from "./executor-health.ts";
export * from "./lanes.ts";
export * from "./outcome.ts";
export * from "./status.ts";
