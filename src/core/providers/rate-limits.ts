// What providers say about their limits, in one typed structure: OpenAI's `x-ratelimit-*` headers,
// Anthropic's `anthropic-ratelimit-*`, `retry-after-ms` / `retry-after`, `x-should-retry`, and the
// Claude CLI's `rate_limit_event`. Executors attach it to every result and error; the worker hands
// it on (a shared limiter builds on it). Pure: headers come in as a lookup function.
import { z } from "zod";

/** One limit window: its size, what is left, and when it resets (ms since epoch). */
export const RateLimitWindow = z.object({
  limit: z.number().nonnegative().optional(),
  remaining: z.number().nonnegative().optional(),
  resets_at: z.number().int().nonnegative().optional(),
});
export type RateLimitWindow = z.infer<typeof RateLimitWindow>;

export const RateLimitInfo = z.object({
  /** Who said it: OpenAI-style headers, Anthropic's headers, the Claude CLI's event, or plain HTTP. */
  source: z.enum(["openai", "anthropic", "claude_cli", "http"]),
  /** When it was seen (ms since epoch). */
  observed_at: z.number().int().nonnegative(),
  requests: RateLimitWindow.optional(),
  tokens: RateLimitWindow.optional(),
  input_tokens: RateLimitWindow.optional(),
  output_tokens: RateLimitWindow.optional(),
  /** How long the provider asked us to wait (retry-after-ms, else retry-after). */
  retry_after_ms: z.number().int().nonnegative().optional(),
  /** The provider's own `x-should-retry` verdict, when it sent one. */
  should_retry: z.boolean().optional(),
  /** Claude subscription limits: allowed, close to the limit, or rejected. */
  status: z.enum(["allowed", "allowed_warning", "rejected"]).optional(),
  /** Which subscription window (five_hour, seven_day, seven_day_opus, …). */
  window: z.string().max(64).optional(),
  /** The subscription window's use, 0–1. */
  utilization: z.number().nonnegative().optional(),
  /** When the subscription window resets (ms since epoch). */
  resets_at: z.number().int().nonnegative().optional(),
});
export type RateLimitInfo = z.infer<typeof RateLimitInfo>;

/** How a header is looked up (Headers.get, or a plain record). */
export type HeaderLookup = (name: string) => string | null | undefined;

/** A Go-style duration as OpenAI sends it ("1s", "6m0s", "20ms", "1h2m3.5s"), in ms. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let consumed = 0;
  for (const m of t.matchAll(re)) {
    const n = Number(m[1]);
    total += m[2] === "h" ? n * 3_600_000 : m[2] === "m" ? n * 60_000 : m[2] === "s" ? n * 1000 : n;
    consumed += m[0].length;
  }
  return consumed > 0 && consumed === t.length ? Math.round(total) : undefined;
}

function num(v: string | null | undefined): number | undefined {
  if (v === null || v === undefined || v.trim() === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** `retry-after-ms`, then `retry-after` (seconds or an HTTP date), in ms; undefined when absent or bad. */
export function retryAfterMs(get: HeaderLookup, now: number): number | undefined {
  const ms = num(get("retry-after-ms"));
  if (ms !== undefined) return Math.round(ms);
  const value = get("retry-after")?.trim();
  if (!value) return undefined;
  const seconds = num(value);
  if (seconds !== undefined) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function window(
  limit: string | null | undefined,
  remaining: string | null | undefined,
  resetsAt: number | undefined,
): RateLimitWindow | undefined {
  const w: RateLimitWindow = {
    ...(num(limit) !== undefined ? { limit: num(limit) } : {}),
    ...(num(remaining) !== undefined ? { remaining: num(remaining) } : {}),
    ...(resetsAt !== undefined ? { resets_at: resetsAt } : {}),
  };
  return Object.keys(w).length > 0 ? w : undefined;
}

/** OpenAI's reset headers are durations from now; Anthropic's are RFC 3339 times. */
function openaiReset(v: string | null | undefined, now: number): number | undefined {
  const d = v ? parseDuration(v) : undefined;
  return d === undefined ? undefined : now + d;
}
function anthropicReset(v: string | null | undefined): number | undefined {
  const t = v ? Date.parse(v) : Number.NaN;
  return Number.isNaN(t) ? undefined : t;
}

/** Everything the response's headers say about limits, or undefined when they say nothing. */
export function rateLimitsFromHeaders(get: HeaderLookup, now: number): RateLimitInfo | undefined {
  const shouldRetry = get("x-should-retry");
  const retry = retryAfterMs(get, now);
  const common = {
    observed_at: now,
    ...(retry !== undefined ? { retry_after_ms: retry } : {}),
    ...(shouldRetry === "true" || shouldRetry === "false" ? { should_retry: shouldRetry === "true" } : {}),
  };
  const a = (k: string) => get(`anthropic-ratelimit-${k}`);
  const anthropic = {
    requests: window(a("requests-limit"), a("requests-remaining"), anthropicReset(a("requests-reset"))),
    tokens: window(a("tokens-limit"), a("tokens-remaining"), anthropicReset(a("tokens-reset"))),
    input_tokens: window(
      a("input-tokens-limit"),
      a("input-tokens-remaining"),
      anthropicReset(a("input-tokens-reset")),
    ),
    output_tokens: window(
      a("output-tokens-limit"),
      a("output-tokens-remaining"),
      anthropicReset(a("output-tokens-reset")),
    ),
  };
  if (Object.values(anthropic).some(Boolean))
    return { source: "anthropic", ...common, ...defined(anthropic) };
  const o = (k: string) => get(`x-ratelimit-${k}`);
  const openai = {
    requests: window(o("limit-requests"), o("remaining-requests"), openaiReset(o("reset-requests"), now)),
    tokens: window(o("limit-tokens"), o("remaining-tokens"), openaiReset(o("reset-tokens"), now)),
  };
  if (Object.values(openai).some(Boolean)) return { source: "openai", ...common, ...defined(openai) };
  return retry !== undefined || common.should_retry !== undefined ? { source: "http", ...common } : undefined;
}

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The Claude CLI's rate_limit_event (`rate_limit_info`; `resetsAt` in unix seconds). */
export type ClaudeRateLimitInfo = {
  status: "allowed" | "allowed_warning" | "rejected";
  resetsAt?: number | undefined;
  rateLimitType?: string | undefined;
  utilization?: number | undefined;
};

/** The CLI's subscription limit as the one structure. */
export function rateLimitsFromClaude(info: ClaudeRateLimitInfo, now: number): RateLimitInfo {
  return {
    source: "claude_cli",
    observed_at: now,
    status: info.status,
    ...(info.rateLimitType ? { window: info.rateLimitType.slice(0, 64) } : {}),
    ...(info.utilization !== undefined && info.utilization >= 0 ? { utilization: info.utilization } : {}),
    ...(info.resetsAt !== undefined && info.resetsAt > 0
      ? { resets_at: Math.round(info.resetsAt * 1000) }
      : {}),
  };
}

/** Subscription windows that hold back only one model family, not the whole subscription. */
const MODEL_WINDOWS = new Set(["seven_day_opus", "seven_day_sonnet"]);

/** Whether a subscription limit blocks only the model (seven_day_opus) or everything the executor runs. */
export function limitScope(info: RateLimitInfo | undefined): "model" | "executor" {
  return info?.window && MODEL_WINDOWS.has(info.window) ? "model" : "executor";
}

/**
 * How long to hold back after a limit: the provider's retry-after, else the reset of an exhausted
 * window (remaining 0) or of the subscription window, else undefined.
 */
export function waitFromLimits(info: RateLimitInfo | undefined, now: number): number | undefined {
  if (!info) return undefined;
  if (info.retry_after_ms !== undefined) return info.retry_after_ms;
  const exhausted = [info.requests, info.tokens, info.input_tokens, info.output_tokens]
    .filter((w): w is RateLimitWindow => w?.remaining === 0 && w.resets_at !== undefined)
    .map((w) => w.resets_at as number);
  const resets = [...exhausted, ...(info.resets_at !== undefined ? [info.resets_at] : [])];
  if (resets.length === 0) return undefined;
  return Math.max(0, Math.max(...resets) - now);
}
