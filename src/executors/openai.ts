// An OpenAI-compatible chat completions executor (llm_call's API, LiteLLM, Ollama, vLLM, OpenAI).
// Errors are classified as the `openai` SDK does (src/core/providers/http-failure.ts): rate limits
// wait, 408/409/5xx and connection errors are transient, other 4xx and `insufficient_quota` are
// permanent. Rate-limit headers travel with every result and error. Cost: what the provider reports
// (`usage.cost`, LiteLLM's `x-litellm-response-cost`), else the price table, else unpriced.
import { z } from "zod";
import { ExecutorError, ExecutorFailure, errorMessage, RateLimitedError } from "../core/errors.ts";
import type { AuthProbe, Executor, ExecutorRequest, ExecutorResult, Usage } from "../core/ports/executor.ts";
import { detectHandoff } from "../core/protocol/handoff.ts";
import { classifyHttpFailure } from "../core/providers/http-failure.ts";
import { costFor, DEFAULT_PRICES, type PriceTable } from "../core/providers/pricing.ts";
import {
  type RateLimitInfo,
  rateLimitsFromHeaders,
  retryAfterMs,
  waitFromLimits,
} from "../core/providers/rate-limits.ts";
import { reportProgress } from "./progress.ts";
import { excerpt, parseJson } from "./text.ts";

export type OpenAIExecutorOptions = {
  /** Base URL including the version path, e.g. `http://127.0.0.1:8001/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` when set; never logged. */
  apiKey?: string;
  /** USD per million tokens by model (default DEFAULT_PRICES); a model not in it is unpriced. */
  prices?: PriceTable;
  /** Model used when a request names none (default "default"; many local servers ignore it). */
  defaultModel?: string;
  /** A fetch implementation (default the global fetch). */
  fetchImpl?: typeof fetch;
};

/** Milliseconds to wait after a 429 that says neither how long (retry-after) nor when a window resets. */
export const DEFAULT_RETRY_AFTER_MS = 5000;

/** The fields of a ChatCompletion (openai's `ChatCompletion` type) this executor reads. */
const CompletionSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable().optional() }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: z
    .object({
      prompt_tokens: z.number().nonnegative(),
      completion_tokens: z.number().nonnegative(),
      prompt_tokens_details: z.object({ cached_tokens: z.number().nonnegative().nullish() }).nullish(),
      completion_tokens_details: z.object({ reasoning_tokens: z.number().nonnegative().nullish() }).nullish(),
      /** Some routers (OpenRouter) report the cost of the call. */
      cost: z.number().nonnegative().nullish(),
    })
    .nullish(),
});

/** An error answer's body (openai's ErrorObject under `error`). */
const ErrorBody = z.object({
  error: z.object({
    message: z.string().nullish(),
    type: z.string().nullish(),
    code: z.union([z.string(), z.number()]).nullish(),
  }),
});

/** Creates an executor that sends each prompt as one user message to `${baseUrl}/chat/completions`. */
export function createOpenAIExecutor(opts: OpenAIExecutorOptions): Executor {
  const base = opts.baseUrl.replace(/\/+$/, "");
  const url = `${base}/chat/completions`;
  const prices = opts.prices ?? DEFAULT_PRICES;
  const fetchImpl = opts.fetchImpl ?? fetch;
  const auth: Record<string, string> = opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {};
  return {
    name: "openai",
    usesWorkdir: false,
    async run(request: ExecutorRequest): Promise<ExecutorResult> {
      const model = request.model ?? opts.defaultModel ?? "default";
      const timeout = AbortSignal.timeout(request.timeoutMs);
      const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
      let response: Response;
      let text: string;
      try {
        response = await fetchImpl(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...auth },
          body: JSON.stringify(requestBody(model, request)),
          signal,
        });
        text = await response.text();
      } catch (err) {
        throw requestFailure(err, url, request, timeout);
      }
      const now = Date.now();
      const limits = rateLimitsFromHeaders((n) => response.headers.get(n), now);
      if (!response.ok) throw errorFor(response, text, url, model, limits, now);
      const completion = CompletionSchema.safeParse(parseJson(text));
      if (!completion.success) {
        throw new ExecutorError(
          ExecutorFailure.BadOutput,
          `${url} returned no chat completion${excerpt(text)}; check that baseUrl points at an OpenAI-compatible /v1`,
          { limits },
        );
      }
      const choice = completion.data.choices[0];
      if (choice?.finish_reason === "content_filter") {
        throw new ExecutorError(
          ExecutorFailure.Refused,
          `${url} stopped the answer for model ${model} by its content filter`,
          { limits },
        );
      }
      const content = choice?.message.content ?? "";
      const usage = usageOf(completion.data.usage);
      const reported = completion.data.usage?.cost ?? headerCost(response.headers);
      const priced = reported ?? costFor(model, usage, prices);
      const detected = detectHandoff(content);
      reportProgress(request, { turns: 1, output_tokens: usage.output_tokens });
      return {
        output: detected.body,
        model: completion.data.model ?? model,
        usage,
        cost_usd: priced ?? 0,
        ...(priced === undefined ? { unpriced: true } : {}),
        // The output limit cut the answer: the worker's decider sends it on to a continuation.
        ...(choice?.finish_reason === "length" ? { truncated: true } : {}),
        ...(limits ? { limits } : {}),
        handoff: detected.handoff,
        remaining: detected.remaining,
      };
    },
    probeAuth: () => probeModels(base, auth, fetchImpl),
  };
}

/** The request: an optional system message, the prompt as the user message, and the output cap. */
function requestBody(model: string, request: ExecutorRequest) {
  return {
    model,
    messages: [
      ...(request.systemPrompt ? [{ role: "system", content: request.systemPrompt }] : []),
      { role: "user", content: request.prompt },
    ],
    // `max_tokens` is what every compatible server (LiteLLM, vLLM, Ollama, llm_call) takes.
    ...(request.maxTokens ? { max_tokens: request.maxTokens } : {}),
  };
}

/** Our usage from OpenAI's: prompt_tokens counts cached tokens too, ours keeps them apart. */
function usageOf(u: z.infer<typeof CompletionSchema>["usage"]): Usage {
  const cached = Math.min(u?.prompt_tokens_details?.cached_tokens ?? 0, u?.prompt_tokens ?? 0);
  const reasoning = u?.completion_tokens_details?.reasoning_tokens ?? 0;
  return {
    input_tokens: Math.round((u?.prompt_tokens ?? 0) - cached),
    output_tokens: Math.round(u?.completion_tokens ?? 0),
    ...(cached > 0 ? { cache_read_input_tokens: Math.round(cached) } : {}),
    ...(reasoning > 0 ? { reasoning_tokens: Math.round(reasoning) } : {}),
  };
}

/** LiteLLM's proxy reports each call's cost in a header. */
function headerCost(headers: Headers): number | undefined {
  const v = Number(headers.get("x-litellm-response-cost") ?? Number.NaN);
  return Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** The typed error an error answer means. */
function errorFor(
  response: Response,
  text: string,
  url: string,
  model: string,
  limits: RateLimitInfo | undefined,
  now: number,
): Error {
  const body = ErrorBody.safeParse(parseJson(text));
  const e = body.success ? body.data.error : undefined;
  const code = e?.code === undefined || e.code === null ? undefined : String(e.code);
  const kind = classifyHttpFailure({
    status: response.status,
    shouldRetry: response.headers.get("x-should-retry"),
    code,
    type: e?.type,
  });
  const said = `${url} answered HTTP ${response.status} for model ${model}${excerpt(e?.message ?? text)}`;
  switch (kind.kind) {
    case "rate_limited": {
      const wait =
        retryAfterMs((n) => response.headers.get(n), now) ??
        waitFromLimits(limits, now) ??
        DEFAULT_RETRY_AFTER_MS;
      return new RateLimitedError(said, wait, model, { limits });
    }
    case "transient":
      return new ExecutorError(ExecutorFailure.Http, said, { limits, permanent: false });
    case "permanent": {
      const reason =
        kind.reason === "auth"
          ? ExecutorFailure.Auth
          : kind.reason === "quota"
            ? ExecutorFailure.Quota
            : ExecutorFailure.Refused;
      const hint =
        kind.reason === "auth"
          ? "; check OPENAI_API_KEY"
          : kind.reason === "quota"
            ? "; the account is out of quota or credits (billing), waiting does not help"
            : "";
      return new ExecutorError(reason, `${said}${hint}`, { limits, permanent: true });
    }
    default: {
      const never: never = kind;
      throw new Error(`unknown failure ${JSON.stringify(never)}`);
    }
  }
}

/** GET /models with the key: 200 works, 401 is refused, anything else cannot tell (not every server has it). */
async function probeModels(
  base: string,
  auth: Record<string, string>,
  fetchImpl: typeof fetch,
): Promise<AuthProbe> {
  try {
    const r = await fetchImpl(`${base}/models`, { headers: auth, signal: AbortSignal.timeout(10_000) });
    await r.body?.cancel();
    if (r.ok) return { ok: true, detail: `GET /models answered ${r.status}`, authoritative: true };
    if (r.status === 401)
      return { ok: false, detail: "GET /models answered 401: the API key was refused", authoritative: true };
    return { ok: undefined, detail: `GET /models answered ${r.status}`, authoritative: false };
  } catch (err) {
    return { ok: undefined, detail: `GET /models failed: ${errorMessage(err)}`, authoritative: false };
  }
}

/** Milliseconds to wait from a 429's `retry-after-ms` or `Retry-After` (seconds or HTTP date). */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number {
  return retryAfterMs((n) => headers.get(n), now) ?? DEFAULT_RETRY_AFTER_MS;
}

function requestFailure(
  err: unknown,
  url: string,
  request: ExecutorRequest,
  timeout: AbortSignal,
): ExecutorError {
  if (request.signal?.aborted) {
    return new ExecutorError(ExecutorFailure.Aborted, `request to ${url} was aborted by the caller`, {
      cause: err,
    });
  }
  if (timeout.aborted) {
    return new ExecutorError(
      ExecutorFailure.Timeout,
      `request to ${url} timed out after ${request.timeoutMs} ms; raise timeoutMs or use a faster model`,
      { cause: err },
    );
  }
  return new ExecutorError(
    ExecutorFailure.Http,
    `request to ${url} failed: ${errorMessage(err)}${causeOf(err)}; check that the server is running`,
    { cause: err },
  );
}

function causeOf(err: unknown): string {
  return err instanceof Error && err.cause !== undefined ? ` (${errorMessage(err.cause)})` : "";
}
