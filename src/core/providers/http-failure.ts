// What an OpenAI-compatible endpoint's error answer means, by the `openai` SDK's own rules
// (its client's shouldRetry and APIError.generate): `x-should-retry` is obeyed first; 408, 409, 429
// and 5xx are worth retrying; every other 4xx is not (400 BadRequest, 401 Authentication, 403
// PermissionDenied, 404 NotFound, 422 UnprocessableEntity). A 429 whose error is
// `insufficient_quota` is billing, not a rate limit: waiting does not help.

/** How a failed HTTP answer is handled. */
export type HttpFailure =
  /** A rate limit: not a failed attempt; wait and try again (or the next model). */
  | { kind: "rate_limited" }
  /** Worth another attempt (with backoff): timeouts, conflicts, server errors. */
  | { kind: "transient" }
  /** Another attempt on this model cannot succeed. */
  | { kind: "permanent"; reason: "auth" | "quota" | "refused" };

export type HttpFailureInput = {
  status: number;
  /** The `x-should-retry` header, when sent. */
  shouldRetry?: string | null | undefined;
  /** The error body's `code` and `type` (OpenAI's ErrorObject), when it had them. */
  code?: string | null | undefined;
  type?: string | null | undefined;
};

/** Classify an error answer. */
export function classifyHttpFailure(i: HttpFailureInput): HttpFailure {
  const quota = i.code === "insufficient_quota" || i.type === "insufficient_quota";
  if (quota) return { kind: "permanent", reason: "quota" };
  if (i.shouldRetry === "true") return i.status === 429 ? { kind: "rate_limited" } : { kind: "transient" };
  if (i.shouldRetry === "false") return { kind: "permanent", reason: i.status === 401 ? "auth" : "refused" };
  if (i.status === 429) return { kind: "rate_limited" };
  if (i.status === 408 || i.status === 409 || i.status >= 500) return { kind: "transient" };
  if (i.status === 401) return { kind: "permanent", reason: "auth" };
  return { kind: "permanent", reason: "refused" };
}
