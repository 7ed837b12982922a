// The Claude Code CLI executor: `claude -p --output-format stream-json --verbose`, prompt on stdin,
// no shell. The CLI gets an allow-listed environment: the base variables, Claude's own credentials
// (CLAUDE_CODE_OAUTH_TOKEN, ANTHROPIC_API_KEY, …, copied from this process) and nothing else of the
// worker's; nothing here reads or logs the credentials.

import { ExecutorError, ExecutorFailure, RateLimitedError } from "../core/errors.ts";
import type { Executor, ExecutorRequest, ExecutorResult } from "../core/ports/executor.ts";
import { detectHandoff } from "../core/protocol/handoff.ts";
import { agentEnvironment, CLAUDE_AGENT_ENV } from "./agent-env.ts";
import { spawnAgent } from "./orphan-guard.ts";
import { type ProcessOutcome, processFailure, stderrTail, wasStopped } from "./process-errors.ts";
import { reportProgress } from "./progress.ts";
import { createStreamJsonParser, type StreamState } from "./stream-json.ts";
import { excerpt } from "./text.ts";

export type ClaudeExecutorOptions = {
  /** The CLI to run (default "claude"). */
  command?: string;
  /** Arguments placed before the claude flags, e.g. a script path when `command` is node. */
  args?: string[];
  /** Variables set for the CLI as given, on top of its allow-listed environment. */
  env?: Record<string, string>;
  /** Names of further variables of this process the CLI gets (AGENTS_AGENT_ENV). */
  passEnv?: readonly string[];
};

/** How long to wait before retrying after the CLI reports a rate limit, in milliseconds. */
export const CLAUDE_RATE_LIMIT_RETRY_MS = 60_000;

const RATE_LIMIT_HINT = /rate[ _-]?limit|\b429\b/i;

/** Creates an executor that runs each request through the Claude Code CLI in its own working folder. */
export function createClaudeExecutor(opts: ClaudeExecutorOptions = {}): Executor {
  const command = opts.command ?? "claude";
  return {
    name: "claude",
    usesWorkdir: true,
    async run(request: ExecutorRequest): Promise<ExecutorResult> {
      const parser = createStreamJsonParser((turn) =>
        reportProgress(request, { turns: turn.turns, message: turn.text, output_tokens: turn.output_tokens }),
      );
      const env = agentEnvironment({
        pass: [...CLAUDE_AGENT_ENV, ...(opts.passEnv ?? [])],
        ...(opts.env ? { set: opts.env } : {}),
      });
      const subprocess = spawnAgent(command, [...(opts.args ?? []), ...claudeArgs(request)], request, env);
      subprocess.stdout.on("data", (chunk: Uint8Array) => parser.push(chunk));
      const outcome = await subprocess;
      return interpret(outcome, parser.end(), request);
    },
  };
}

/** The claude flags for one request; `--verbose` is required by the CLI for stream-json in print mode. */
export function claudeArgs(request: ExecutorRequest): string[] {
  const args = ["-p", "--output-format", "stream-json", "--verbose"];
  // One word, `--model=NAME`: the name is the option's value whatever it holds, never a flag of its
  // own (names are validated where they enter, but a task can also arrive straight over NATS).
  if (request.model) args.push(`--model=${request.model}`);
  if (request.maxTurns !== undefined) args.push("--max-turns", String(request.maxTurns));
  return args;
}

function interpret(outcome: ProcessOutcome, state: StreamState, request: ExecutorRequest): ExecutorResult {
  const stopped = wasStopped(outcome) ? processFailure(outcome, "claude", request) : undefined;
  if (stopped) throw stopped;
  const result = state.result;
  const model = request.model ?? state.model ?? "claude";
  const failed = outcome.failed || result?.is_error === true;
  if (failed && RATE_LIMIT_HINT.test(`${result?.result ?? ""}\n${outcome.stderr}`)) {
    throw new RateLimitedError(
      `claude reported a rate limit${excerpt(result?.result)}${stderrTail(outcome.stderr, 500)}; retry later`,
      CLAUDE_RATE_LIMIT_RETRY_MS,
      model,
    );
  }
  if (result && result.subtype !== "error_max_turns" && (result.is_error || result.subtype !== "success")) {
    throw new ExecutorError(
      ExecutorFailure.AgentError,
      `claude reported ${result.subtype}${excerpt(result.result)}${stderrTail(outcome.stderr, 500)}`,
    );
  }
  const exited =
    result?.subtype === "error_max_turns" ? undefined : processFailure(outcome, "claude", request);
  if (exited) throw exited;
  if (!result) {
    throw new ExecutorError(
      ExecutorFailure.BadOutput,
      `claude printed no result event (${state.lines} non-empty stdout lines)${stderrTail(outcome.stderr, 500)}; check the CLI version supports --output-format stream-json`,
    );
  }
  const maxTurns = result.subtype === "error_max_turns";
  const detected = detectHandoff(result.result ?? state.lastText ?? "");
  return {
    output: detected.body,
    model,
    usage: result.usage ?? { input_tokens: 0, output_tokens: 0 },
    cost_usd: result.total_cost_usd ?? 0,
    session_id: result.session_id ?? state.session_id,
    num_turns: result.num_turns ?? state.turns,
    subtype: result.subtype,
    handoff: maxTurns || detected.handoff,
    remaining: detected.remaining,
  };
}
