// An OpenAI-compatible chat completions executor (llm_call's API, LiteLLM, Ollama, vLLM, OpenAI).
// Usage comes back in the response; cost comes from the price table.

import { z } from "zod";
import { ExecutorError, ExecutorFailure, errorMessage, RateLimitedError } from "../core/errors.ts";
import type { Executor, ExecutorRequest, ExecutorResult } from "../core/ports/executor.ts";
import { detectHandoff } from "../core/protocol/handoff.ts";
import { costFor, DEFAULT_PRICES, type PriceTable } from "./prices.ts";
import { reportProgress } from "./progress.ts";
import { excerpt, parseJson } from "./text.ts";

export type OpenAIExecutorOptions = {
  /** Base URL including the version path, e.g. `http://127.0.0.1:8001/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` when set; never logged. */
  apiKey?: string;
  /** USD per million tokens by model, merged over DEFAULT_PRICES. */
  prices?: PriceTable;
  /** Model used when a request names none (default "default"; many local servers ignore it). */
  defaultModel?: string;
  /** A fetch implementation (default the global fetch). */
  fetchImpl?: typeof fetch;
};

/** Milliseconds to wait after a 429 that carries no usable Retry-After header. */
export const DEFAULT_RETRY_AFTER_MS = 5000;

const CompletionSchema = z.object({
  model: z.string().optional(),
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable().optional() }) })).min(1),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).optional(),
});

/** Creates an executor that sends each prompt as one user message to `${baseUrl}/chat/completions`. */
export function createOpenAIExecutor(opts: OpenAIExecutorOptions): Executor {
  const url = `${opts.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  const prices = { ...DEFAULT_PRICES, ...opts.prices };
  const fetchImpl = opts.fetchImpl ?? fetch;
  return {
    name: "openai",
    usesWorkdir: false,
    async run(request: ExecutorRequest): Promise<ExecutorResult> {
      const model = request.model ?? opts.defaultModel ?? "default";
      const timeout = AbortSignal.timeout(request.timeoutMs);
      const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
      let response: Response;
      let text: string;
      try {
        response = await fetchImpl(url, {
          method: "POST",
          headers,
          body: JSON.stringify({ model, messages: [{ role: "user", content: request.prompt }] }),
          signal,
        });
        text = await response.text();
      } catch (err) {
        throw requestFailure(err, url, request, timeout);
      }
      if (response.status === 429) {
        const retryAfterMs = parseRetryAfter(response.headers);
        throw new RateLimitedError(
          `${url} answered 429 for model ${model}${excerpt(text)}`,
          retryAfterMs,
          model,
        );
      }
      if (!response.ok) {
        throw new ExecutorError(
          ExecutorFailure.Http,
          `${url} answered HTTP ${response.status}${excerpt(text)}`,
        );
      }
      const completion = CompletionSchema.safeParse(parseJson(text));
      if (!completion.success) {
        throw new ExecutorError(
          ExecutorFailure.BadOutput,
          `${url} returned no chat completion${excerpt(text)}; check that baseUrl points at an OpenAI-compatible /v1`,
        );
      }
      const content = completion.data.choices[0]?.message.content ?? "";
      const usage = {
        input_tokens: completion.data.usage?.prompt_tokens ?? 0,
        output_tokens: completion.data.usage?.completion_tokens ?? 0,
      };
      const detected = detectHandoff(content);
      reportProgress(request, { turns: 1, output_tokens: usage.output_tokens });
      return {
        output: detected.body,
        model: completion.data.model ?? model,
        usage,
        cost_usd: costFor(model, usage, prices),
        handoff: detected.handoff,
        remaining: detected.remaining,
      };
    },
  };
}

/** Milliseconds to wait from a 429's `retry-after-ms` or `Retry-After` (seconds or HTTP date). */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number {
  const ms = Number(headers.get("retry-after-ms") ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get("retry-after")?.trim();
  if (!value) return DEFAULT_RETRY_AFTER_MS;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, date - now);
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
