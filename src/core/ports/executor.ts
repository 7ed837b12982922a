// The port every agent executor implements: run one prompt to completion, report usage and cost.
import type { Usage } from "../events/catalogue/shared.ts";

export type { Usage };

export type ExecutorRequest = {
  /** The full prompt; passed on stdin or in the request body, never through a shell. */
  prompt: string;
  /** Model name; executors that ignore models record it as given. */
  model?: string | undefined;
  /** The task's working folder; created by the caller (one per task) when the executor `usesWorkdir`. */
  cwd: string;
  /** Wall-clock limit in milliseconds; on expiry SIGTERM, then SIGKILL after `killGraceMs` (to the agent's process group). */
  timeoutMs: number;
  /** Milliseconds between SIGTERM and SIGKILL (default 5000). */
  killGraceMs?: number;
  /** Aborting kills the agent (SIGTERM, grace, SIGKILL) and rejects with reason `aborted`. */
  signal?: AbortSignal;
  /** Called as the agent makes progress (stream-json events, tokens). Must not throw. */
  onProgress?: (progress: ExecutorProgress) => void;
  /** Max agent turns (claude only). */
  maxTurns?: number | undefined;
};

export type ExecutorProgress = { turns?: number; message?: string; output_tokens?: number };

export type ExecutorResult = {
  output: string;
  model: string;
  usage: Usage;
  cost_usd: number;
  session_id?: string | undefined;
  num_turns?: number | undefined;
  /** Claude's result subtype ("success", "error_max_turns", ...). */
  subtype?: string | undefined;
  /** The agent ran out of context or turns and asked for a continuation. */
  handoff: boolean;
  /** When `handoff` is true: the agent's summary of the work still to do (may be empty). */
  remaining?: string | undefined;
  /** True when produced by the offline echo executor (no LLM involved). */
  offline?: boolean;
};

export type Executor = {
  readonly name: string;
  /** The agent runs as a process in `cwd` and may leave files there (claude, command). */
  readonly usesWorkdir: boolean;
  run(request: ExecutorRequest): Promise<ExecutorResult>;
};
