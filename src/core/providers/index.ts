// How the model providers behave, as pure rules: which executor a model routes to, what rate-limit
// headers and events say, what an HTTP error answer means, and what a run costs.

export * from "./chain.ts";
export * from "./http-failure.ts";
export * from "./pricing.ts";
export * from "./rate-limits.ts";
export * from "./routes.ts";
