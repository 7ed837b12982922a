// Exit codes scripts can rely on, and the error that carries one.

export const Exit = {
  Ok: 0,
  Failure: 1,
  Usage: 2,
  NotFound: 3,
  NotReady: 4,
} as const;
export type Exit = (typeof Exit)[keyof typeof Exit];

/** A failure the CLI reports in one line and exits with `exitCode`; `body` is the gateway's answer, if any. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: Exit,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

/** A usage error (exit 2). */
export function usage(message: string): CliError {
  return new CliError(message, Exit.Usage);
}

/** The exit code for an HTTP status (and error code) from the gateway. */
export function exitForStatus(status: number, code?: string): Exit {
  if (status === 400 || status === 413 || status === 415) return Exit.Usage;
  if (status === 404) return Exit.NotFound;
  // Cancelling what already ended, or retrying what is not dead-lettered, will never work: a
  // failure, not "not ready yet".
  if (status === 409)
    return code === "ALREADY_ENDED" || code === "NOT_RETRYABLE" ? Exit.Failure : Exit.NotReady;
  return Exit.Failure;
}
