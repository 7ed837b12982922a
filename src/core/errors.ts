// One error hierarchy with stable codes. The gateway maps codes to HTTP status in one table
// (src/gateway/errors.ts); actors map the same codes to ack / nak / term. Pure: part of src/core.
import type { FailureReason } from "./events/catalogue/shared.ts";
import type { RateLimitInfo } from "./providers/rate-limits.ts";

export const ErrorCode = {
  ConfigInvalid: "CONFIG_INVALID",
  ValidationFailed: "VALIDATION_FAILED",
  Concurrency: "CONCURRENCY_CONFLICT",
  IllegalTransition: "ILLEGAL_TRANSITION",
  NotFound: "NOT_FOUND",
  NotReady: "NOT_READY",
  AlreadyEnded: "ALREADY_ENDED",
  /** Only a dead-lettered task of a job that was not cancelled can be retried. */
  NotRetryable: "NOT_RETRYABLE",
  Unauthorized: "UNAUTHORIZED",
  PayloadTooLarge: "PAYLOAD_TOO_LARGE",
  RateLimited: "RATE_LIMITED",
  Executor: "EXECUTOR_FAILED",
  Unavailable: "UNAVAILABLE",
  Internal: "INTERNAL",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class AgentsError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A value from the environment did not fit the configuration schema. */
export class ConfigError extends AgentsError {
  constructor(message: string) {
    super(ErrorCode.ConfigInvalid, message);
  }
}

/** One problem with an input, located by a dotted path ("count", "validation.0.type"). */
export type FieldIssue = { path: string; message: string };

/** Input (HTTP body, NATS payload) did not match its schema; `issues` name each field. */
export class InputValidationError extends AgentsError {
  readonly issues: FieldIssue[];
  constructor(issues: FieldIssue[], context = "input") {
    super(ErrorCode.ValidationFailed, `${context} is invalid: ${formatIssues(issues)}`);
    this.issues = issues;
  }
}

export function formatIssues(issues: FieldIssue[]): string {
  return issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ");
}

/** Another writer appended to the subject first: re-read and decide again. */
export class ConcurrencyError extends AgentsError {
  readonly subject: string;
  readonly expectedSequence: number;
  constructor(subject: string, expectedSequence: number, cause?: unknown) {
    super(
      ErrorCode.Concurrency,
      `${subject} moved past sequence ${expectedSequence}: another writer appended first`,
      { cause },
    );
    this.subject = subject;
    this.expectedSequence = expectedSequence;
  }
}

export class NotFoundError extends AgentsError {
  constructor(what: string) {
    super(ErrorCode.NotFound, `${what} was not found`);
  }
}

export class NotReadyError extends AgentsError {
  constructor(message: string) {
    super(ErrorCode.NotReady, message);
  }
}

/**
 * The model provider asked us to slow down: not a failed attempt. `kind` says which limit: a rate
 * limit (requests or tokens per window: retry after `retryAfterMs`) or a usage limit (a Claude
 * subscription's window, until `resetsAt`), which holds back the model or, by `scope`, everything
 * its executor runs.
 */
export class RateLimitedError extends AgentsError {
  readonly retryAfterMs: number;
  readonly model: string | undefined;
  readonly kind: "rate_limit" | "usage_limit";
  readonly scope: "model" | "executor";
  /** When the limit resets (ms since epoch), if the provider said. */
  readonly resetsAt: number | undefined;
  /** What the provider said about its limits. */
  readonly limits: RateLimitInfo | undefined;
  constructor(
    message: string,
    retryAfterMs: number,
    model?: string,
    o: {
      kind?: "rate_limit" | "usage_limit";
      scope?: "model" | "executor";
      resetsAt?: number | undefined;
      limits?: RateLimitInfo | undefined;
    } = {},
  ) {
    super(ErrorCode.RateLimited, message);
    this.retryAfterMs = retryAfterMs;
    this.model = model;
    this.kind = o.kind ?? "rate_limit";
    this.scope = o.scope ?? "model";
    this.resetsAt = o.resetsAt;
    this.limits = o.limits;
  }
}

/** A model's day budget is spent: no call of it starts before `until` (the next UTC day, ms since epoch). */
export class DayBudgetSpentError extends AgentsError {
  constructor(
    readonly model: string,
    readonly by: "usd" | "tokens",
    readonly until: number,
  ) {
    super(
      ErrorCode.RateLimited,
      `the day budget of model ${model} is spent (${by === "usd" ? "US dollars" : "tokens"})`,
    );
  }
}

/**
 * The failure reasons an executor reports: a named subset of the one FailureReason (the catalogue's
 * `task.failed.reason`), checked against it, so the two cannot drift apart.
 */
export const ExecutorFailure = {
  Timeout: "timeout",
  Signal: "signal",
  ExitCode: "exit_code",
  BadOutput: "bad_output",
  AgentError: "agent_error",
  Http: "http",
  Aborted: "aborted",
  Spawn: "spawn",
  /** Missing, expired or refused credentials: no attempt by this executor can succeed. */
  Auth: "auth",
  /** Out of credits or quota (billing), not a rate limit: waiting does not help. */
  Quota: "quota",
  /** The provider refused the request as it stands (bad request, unknown model, no access). */
  Refused: "refused",
  /** The run was not allowed by this worker (a permission mode it does not grant). */
  NotAllowed: "not_allowed",
} as const satisfies Record<string, FailureReason>;
export type ExecutorFailure = (typeof ExecutorFailure)[keyof typeof ExecutorFailure];

/** Failures no retry of the same model can fix. */
const PERMANENT: ReadonlySet<ExecutorFailure> = new Set([
  ExecutorFailure.Auth,
  ExecutorFailure.Quota,
  ExecutorFailure.Refused,
  ExecutorFailure.NotAllowed,
]);

/** An agent run failed; `reason` says why (timeout, signal, exit code, bad output, auth, ...). */
export class ExecutorError extends AgentsError {
  readonly reason: ExecutorFailure;
  /** No retry on this model can succeed (auth, quota, a refused request); the fallback chain may. */
  readonly permanent: boolean;
  /** What the provider said about its limits on this answer. */
  readonly limits: RateLimitInfo | undefined;
  constructor(
    reason: ExecutorFailure,
    message: string,
    options?: { cause?: unknown; permanent?: boolean; limits?: RateLimitInfo | undefined },
  ) {
    super(ErrorCode.Executor, message, options);
    this.reason = reason;
    this.permanent = options?.permanent ?? PERMANENT.has(reason);
    this.limits = options?.limits;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
