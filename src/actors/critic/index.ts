// The critic actor: a shell that records critiques; it runs as a role of a worker.
export { createCritic } from "./critic.ts";
