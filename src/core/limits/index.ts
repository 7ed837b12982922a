// Provider limits per model, shared by every worker: what users set, and the pure accounting of
// calls (a sliding window of requests and tokens, calls in flight, holds after a 429, waiting
// callers by band, the day's use against a day budget), and the limits learned from providers' headers.
export * from "./budget-spec.ts";
export * from "./day.ts";
export * from "./learned.ts";
export * from "./spec.ts";
export * from "./view.ts";
export * from "./window.ts";
