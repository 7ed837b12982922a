// Shared subprocess handling for CLI executors: the execa options that enforce timeout, abort and
// kill grace, and the mapping of a failed execa result to an ExecutorError that says why it failed.

import { ExecutorError, ExecutorFailure } from "../core/errors.ts";
import type { ExecutorRequest } from "../core/ports/executor.ts";

/** Default milliseconds between SIGTERM and SIGKILL when the request sets no `killGraceMs`. */
export const DEFAULT_KILL_GRACE_MS = 5000;

/** The fields of an execa result (run with `reject: false`) that say how the subprocess ended. */
export type ProcessOutcome = {
  failed: boolean;
  timedOut: boolean;
  isCanceled: boolean;
  isForcefullyTerminated: boolean;
  exitCode?: number | undefined;
  signal?: string | undefined;
  code?: string | undefined;
  shortMessage?: string | undefined;
  cause?: unknown;
  stderr: string;
};

/** Execa options for one agent run: prompt on stdin, no shell, exactly the environment `env` (nothing
 * inherited; see agent-env.ts), SIGTERM on timeout or abort, then SIGKILL after the grace period.
 * Failures resolve (`reject: false`) so callers can read the output. */
export function processOptions(request: ExecutorRequest, env: Record<string, string>) {
  return {
    cwd: request.cwd,
    env,
    extendEnv: false,
    input: request.prompt,
    shell: false,
    timeout: request.timeoutMs,
    killSignal: "SIGTERM",
    forceKillAfterDelay: request.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
    cancelSignal: request.signal,
    reject: false,
    stripFinalNewline: true,
  } as const;
}

/** Whether the run was stopped by us (timeout or abort); such runs fail regardless of their output. */
export function wasStopped(outcome: ProcessOutcome): boolean {
  return outcome.timedOut || outcome.isCanceled;
}

/** Maps how a subprocess ended to an ExecutorError, or undefined when it exited with code 0. */
export function processFailure(
  outcome: ProcessOutcome,
  label: string,
  request: ExecutorRequest,
): ExecutorError | undefined {
  if (!outcome.failed) return undefined;
  const killed = outcome.isForcefullyTerminated
    ? `; it ignored SIGTERM and was killed with SIGKILL after ${request.killGraceMs ?? DEFAULT_KILL_GRACE_MS} ms`
    : "";
  if (outcome.timedOut) {
    return new ExecutorError(
      ExecutorFailure.Timeout,
      `${label} timed out after ${request.timeoutMs} ms${killed}; raise timeoutMs or split the task`,
    );
  }
  if (outcome.isCanceled) {
    return new ExecutorError(ExecutorFailure.Aborted, `${label} was aborted by the caller${killed}`);
  }
  const tail = stderrTail(outcome.stderr);
  if (outcome.exitCode === undefined && outcome.signal === undefined) {
    return new ExecutorError(
      ExecutorFailure.Spawn,
      `${label} could not be started (${outcome.code ?? outcome.shortMessage ?? "unknown error"}); check that the command is installed and on PATH`,
      { cause: outcome.cause },
    );
  }
  if (outcome.signal !== undefined) {
    return new ExecutorError(ExecutorFailure.Signal, `${label} was killed by ${outcome.signal}${tail}`);
  }
  return new ExecutorError(ExecutorFailure.ExitCode, `${label} exited with code ${outcome.exitCode}${tail}`);
}

/** The last `max` characters of stderr, formatted to append to an error message ("" when empty). */
export function stderrTail(stderr: string, max = 2000): string {
  const trimmed = stderr.trim();
  if (!trimmed) return "";
  return `; stderr: ${trimmed.length > max ? `…${trimmed.slice(-max)}` : trimmed}`;
}
