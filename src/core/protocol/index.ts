// The agent text protocol: prompts, advice learned from critiques, critique parsing, near-duplicate
// similarity, handoff detection and the labels both sides must spell the same.
export * from "./advice.ts";
export * from "./critique.ts";
export * from "./handoff.ts";
export * from "./labels.ts";
export * from "./prompts.ts";
export * from "./similarity.ts";
