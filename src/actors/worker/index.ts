// The worker actor: a shell that claims work, runs agents and records what the core's deciders say.
export { Worker, type WorkerOptions } from "./worker.ts";
