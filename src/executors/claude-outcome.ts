// How a Claude CLI run ended, read from its stream as the real CLI writes it (2.1.x, per the
// claude-agent-sdk types): a result with `subtype: "success"` and `is_error: true` is a failure,
// whose kind the assistant message's `error` names (authentication_failed, rate_limit, billing_error,
// …); a subscription limit also comes as a `rate_limit_event` with `resetsAt`; error subtypes carry
// `errors[]` and no `result`; `error_max_turns` asks for a continuation.
import { ExecutorError, ExecutorFailure, RateLimitedError } from "../core/errors.ts";
import type { ModelUsageEntry, PermissionDenial } from "../core/events/catalogue/task-events.ts";
import type { ExecutorRequest, ExecutorResult, Usage } from "../core/ports/executor.ts";
import { detectHandoff } from "../core/protocol/handoff.ts";
import { limitScope, type RateLimitInfo, rateLimitsFromClaude } from "../core/providers/rate-limits.ts";
import { type ProcessOutcome, processFailure, stderrTail, wasStopped } from "./process-errors.ts";
import type { ResultEvent, StreamState } from "./stream-json.ts";
import { excerpt } from "./text.ts";

/** How long to wait after a plain rate limit that names no reset time, in milliseconds. */
export const CLAUDE_RATE_LIMIT_RETRY_MS = 60_000;
/** How long to wait after a usage limit that names no reset time, in milliseconds. */
export const CLAUDE_USAGE_LIMIT_RETRY_MS = 15 * 60_000;

/** The assistant `error` values (SDKAssistantMessageError) that mean the credentials do not work. */
const AUTH_ERRORS = new Set([
  "authentication_failed",
  "oauth_org_not_allowed",
  "account_on_hold",
  "verification_required",
  "cloud_credential_error",
]);
/** Values that mean the request as sent cannot succeed on this model. */
const REFUSED_ERRORS = new Set(["invalid_request", "model_not_found"]);

const USAGE_LIMIT_TEXT = /usage limit|session limit|weekly limit|limit reached|resets? /i;

/** The run's result, or the typed error that says why it failed. */
export function interpretClaudeRun(
  outcome: ProcessOutcome,
  state: StreamState,
  request: ExecutorRequest,
  now: number,
): ExecutorResult {
  if (wasStopped(outcome)) throw processFailure(outcome, "claude", request);
  const limits = state.rateLimit ? rateLimitsFromClaude(state.rateLimit, now) : undefined;
  const result = state.result;
  const model = request.model ?? state.model ?? "claude";
  if (!result) {
    const exited = processFailure(outcome, "claude", request);
    if (exited) throw withLimits(exited, limits);
    throw new ExecutorError(
      ExecutorFailure.BadOutput,
      `claude printed no result event (${state.lines} non-empty stdout lines)${stderrTail(outcome.stderr, 500)}; check the CLI version supports --output-format stream-json`,
      { limits },
    );
  }
  const maxTurns = result.subtype === "error_max_turns";
  if (!maxTurns && (result.is_error || result.subtype !== "success")) {
    throw failure(result, state, outcome, model, limits, now);
  }
  if (!maxTurns) {
    const exited = processFailure(outcome, "claude", request);
    if (exited) throw withLimits(exited, limits);
  }
  const text = result.result ?? state.lastText ?? "";
  const detected = detectHandoff(text);
  const perModel = modelUsage(result);
  return {
    output: detected.body,
    model,
    usage: perModel.length > 0 ? sumUsage(perModel) : usageOf(result),
    // The CLI prices its own runs: a provider-reported cost wins over the price table.
    cost_usd: result.total_cost_usd ?? perModel.reduce((s, m) => s + m.cost_usd, 0),
    ...(perModel.length > 0 ? { model_usage: perModel } : {}),
    ...denials(result),
    ...(limits ? { limits } : {}),
    session_id: result.session_id ?? state.session_id,
    num_turns: result.num_turns ?? state.turns,
    subtype: result.subtype,
    handoff: maxTurns || detected.handoff,
    remaining: detected.remaining || (maxTurns ? "the agent reached its turn limit; finish the task" : ""),
  };
}

function withLimits(err: ExecutorError, limits: RateLimitInfo | undefined): ExecutorError {
  return limits ? new ExecutorError(err.reason, err.message, { limits, permanent: err.permanent }) : err;
}

/** The error a failed result means. */
function failure(
  result: ResultEvent,
  state: StreamState,
  outcome: ProcessOutcome,
  model: string,
  limits: RateLimitInfo | undefined,
  now: number,
): Error {
  const said = [result.result, ...(result.errors ?? []), state.assistantError?.text]
    .filter((t): t is string => Boolean(t?.trim()))
    .filter((t, i, all) => all.indexOf(t) === i)
    .join("; ");
  const what = `${excerpt(said, 1500)}${stderrTail(outcome.stderr, 500)}`;
  const kind = state.assistantError?.error;
  const status = result.api_error_status ?? undefined;
  if ((kind && AUTH_ERRORS.has(kind)) || status === 401) {
    return new ExecutorError(
      ExecutorFailure.Auth,
      `claude could not authenticate (${kind ?? `HTTP ${status}`})${what}; on the worker run \`claude setup-token\` and set CLAUDE_CODE_OAUTH_TOKEN, log in with \`claude\`, or set ANTHROPIC_API_KEY`,
      { limits },
    );
  }
  if (kind === "billing_error") {
    return new ExecutorError(
      ExecutorFailure.Quota,
      `claude reported a billing error${what}; check the account's plan or credits`,
      { limits },
    );
  }
  const rejected = limits?.status === "rejected";
  if (kind === "rate_limit" || status === 429 || rejected) {
    const usage = rejected || USAGE_LIMIT_TEXT.test(said);
    const resetsAt = limits?.resets_at;
    const fallback = usage ? CLAUDE_USAGE_LIMIT_RETRY_MS : CLAUDE_RATE_LIMIT_RETRY_MS;
    const wait = resetsAt !== undefined && resetsAt > now ? resetsAt - now : fallback;
    const until = resetsAt !== undefined ? ` until ${new Date(resetsAt).toISOString()}` : "";
    return new RateLimitedError(
      `claude reported a ${usage ? "usage" : "rate"} limit${until}${what}`,
      wait,
      model,
      {
        kind: usage ? "usage_limit" : "rate_limit",
        scope: usage ? limitScope(limits) : "model",
        resetsAt,
        limits,
      },
    );
  }
  if (kind && REFUSED_ERRORS.has(kind)) {
    return new ExecutorError(ExecutorFailure.Refused, `claude's request was refused (${kind})${what}`, {
      limits,
    });
  }
  return new ExecutorError(
    ExecutorFailure.AgentError,
    `claude reported ${result.subtype}${kind ? ` (${kind})` : ""}${what}`,
    { limits },
  );
}

function usageOf(result: ResultEvent): Usage {
  const u = result.usage;
  return {
    input_tokens: u?.input_tokens ?? 0,
    output_tokens: u?.output_tokens ?? 0,
    ...(u?.cache_read_input_tokens ? { cache_read_input_tokens: u.cache_read_input_tokens } : {}),
    ...(u?.cache_creation_input_tokens ? { cache_creation_input_tokens: u.cache_creation_input_tokens } : {}),
  };
}

/** modelUsage as entries (the SDK's advice: it covers subagents and internal calls, `usage` does not). */
function modelUsage(result: ResultEvent): ModelUsageEntry[] {
  return Object.entries(result.modelUsage ?? {})
    .slice(0, 50)
    .map(([model, m]) => ({
      model: model.slice(0, 200),
      input_tokens: Math.round(m.inputTokens),
      output_tokens: Math.round(m.outputTokens),
      ...(m.cacheReadInputTokens ? { cache_read_input_tokens: Math.round(m.cacheReadInputTokens) } : {}),
      ...(m.cacheCreationInputTokens
        ? { cache_creation_input_tokens: Math.round(m.cacheCreationInputTokens) }
        : {}),
      ...(m.thinkingTokens ? { reasoning_tokens: Math.round(m.thinkingTokens) } : {}),
      cost_usd: m.costUSD,
    }));
}

function sumUsage(entries: readonly ModelUsageEntry[]): Usage {
  const sum = (k: keyof Usage) => entries.reduce((s, e) => s + (e[k] ?? 0), 0);
  const u: Usage = { input_tokens: sum("input_tokens"), output_tokens: sum("output_tokens") };
  const cacheRead = sum("cache_read_input_tokens");
  const cacheWrite = sum("cache_creation_input_tokens");
  const reasoning = sum("reasoning_tokens");
  return {
    ...u,
    ...(cacheRead ? { cache_read_input_tokens: cacheRead } : {}),
    ...(cacheWrite ? { cache_creation_input_tokens: cacheWrite } : {}),
    ...(reasoning ? { reasoning_tokens: reasoning } : {}),
  };
}

function denials(result: ResultEvent): { permission_denials?: PermissionDenial[] } {
  const list = (result.permission_denials ?? []).slice(0, 50).map((d) => ({
    tool_name: d.tool_name.slice(0, 200),
    tool_use_id: d.tool_use_id.slice(0, 200),
    input: JSON.stringify(d.tool_input).slice(0, 500),
  }));
  return list.length > 0 ? { permission_denials: list } : {};
}
