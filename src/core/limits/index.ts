// Provider limits per model, shared by every worker: what users set, and the pure accounting of
// calls (a sliding window of requests and tokens, calls in flight, holds after a 429).
export * from "./spec.ts";
export * from "./window.ts";
