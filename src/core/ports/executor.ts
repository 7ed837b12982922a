// The port every agent executor implements: run one prompt to completion, report usage and cost,
// and say whether its credentials work.
import type { Usage } from "../events/catalogue/shared.ts";
import type { PermissionMode } from "../events/catalogue/submission.ts";
import type { ModelUsageEntry, PermissionDenial } from "../events/catalogue/task-events.ts";
import type { RateLimitInfo } from "../providers/rate-limits.ts";

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
  /** Max agent turns (claude only; over the executor's default). */
  maxTurns?: number | undefined;
  /** Permission mode (claude only; over the executor's default). */
  permissionMode?: PermissionMode | undefined;
  /** Tools allowed without asking (claude only; over the executor's default). */
  allowedTools?: readonly string[] | undefined;
  /** Text added to the system prompt (claude: appended to its own; openai: a system message). */
  systemPrompt?: string | undefined;
  /** Output cap in tokens. */
  maxTokens?: number | undefined;
};

export type ExecutorProgress = { turns?: number; message?: string; output_tokens?: number };

export type ExecutorResult = {
  output: string;
  model: string;
  usage: Usage;
  /** USD: reported by the provider when it does, else from the price table (0 when unpriced). */
  cost_usd: number;
  /** True when neither the provider nor the price table knows the cost (cost_usd is then 0, not a price). */
  unpriced?: boolean | undefined;
  /** Per model, when the run used several (the Claude CLI's modelUsage). */
  model_usage?: ModelUsageEntry[] | undefined;
  /** Tool calls the agent was refused. */
  permission_denials?: PermissionDenial[] | undefined;
  /** The answer was cut at the output limit. */
  truncated?: boolean | undefined;
  /** What the provider said about its limits on this answer. */
  limits?: RateLimitInfo | undefined;
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

/** What an executor's own check of its credentials found. */
export type AuthProbe = {
  /** True: they work; false: they are missing or refused; undefined: the check could not tell. */
  ok: boolean | undefined;
  /** What was found, for people (never a secret). */
  detail: string;
  /** How it authenticates (oauth_token, api_key, credentials file, …), when known. */
  method?: string | undefined;
  /** When the login expires (ISO time), when known. */
  expires_at?: string | null | undefined;
  /**
   * Whether the check asks the provider itself (an API call) or only looks at local credentials.
   * After a run was refused, a local check that passes is trusted only once `fingerprint` changed
   * (new credentials), since the same credentials were just refused.
   */
  authoritative: boolean;
  /** Changes when the credentials change (never the secret itself). */
  fingerprint?: string | undefined;
};

export type Executor = {
  readonly name: string;
  /** The agent runs as a process in `cwd` and may leave files there (claude, command). */
  readonly usesWorkdir: boolean;
  run(request: ExecutorRequest): Promise<ExecutorResult>;
  /**
   * Its credentials can change under it (read from a directory an operator rotates): the worker
   * probes it at every recheck, not only while it is failed.
   */
  readonly rechecksCredentials?: boolean;
  /** Check the credentials without running a task (absent: nothing to check). */
  probeAuth?(): Promise<AuthProbe>;
};
