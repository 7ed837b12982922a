// The critic's pure decision: a critique parsed, a near-duplicate scored down, the events recorded.
export * from "./verdict.ts";
