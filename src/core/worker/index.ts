// The worker's pure decisions: whether to claim a work item, what a run records and what becomes of
// its message, the fallback chain, and which lane to pull from next.
export * from "./after-run.ts";
export * from "./claim.ts";
export * from "./lanes.ts";
export * from "./next-model.ts";
export * from "./outcome.ts";
