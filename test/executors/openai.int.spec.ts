// The openai executor against the fixture provider (test/fixtures/openai-server.ts), whose bodies are
// typed against the `openai` package (ChatCompletion, CompletionUsage, ErrorObject). The error
// classes are the SDK's own: each scripted answer is also sent to the real `openai` client
// (maxRetries 1), and what it retries must be exactly what the executor calls worth another try.
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { describe, it } from "node:test";
import OpenAI from "openai";
import { ExecutorError, RateLimitedError } from "../../src/core/errors.ts";
import { createOpenAIExecutor, DEFAULT_RETRY_AFTER_MS, parseRetryAfter } from "../../src/executors/openai.ts";
import { type FixtureAnswer, openAIError, startOpenAIFixture } from "../fixtures/openai-server.ts";

const base = { cwd: tmpdir(), timeoutMs: 10_000 };
const prices = {
  "fixture-model": { input_per_mtok: 1_000_000, output_per_mtok: 2_000_000, cache_read_per_mtok: 500_000 },
};
const failsWith = (reason: string, permanent?: boolean) => (err: unknown) => {
  assert.ok(err instanceof ExecutorError, `expected ExecutorError, got ${String(err)}`);
  assert.equal(err.reason, reason, err.message);
  if (permanent !== undefined) assert.equal(err.permanent, permanent, err.message);
  return true;
};

/** One scripted error answer per case: the SDK's class for it, and whether it retries it. */
type ErrorCase = {
  name: string;
  answer: FixtureAnswer & { status: number };
  /** The class `openai` 6.x raises (APIError.generate). */
  sdkClass: string;
  /** How the executor classifies it. */
  want: { rateLimited: true } | { reason: string; permanent: boolean };
};

const ERROR_CASES: ErrorCase[] = [
  {
    name: "400 bad request",
    answer: {
      status: 400,
      error: openAIError("Unsupported parameter: 'max_tokens'", "invalid_request_error"),
    },
    sdkClass: "BadRequestError",
    want: { reason: "refused", permanent: true },
  },
  {
    name: "401 invalid key",
    answer: {
      status: 401,
      error: openAIError("Incorrect API key provided", "invalid_request_error", "invalid_api_key"),
    },
    sdkClass: "AuthenticationError",
    want: { reason: "auth", permanent: true },
  },
  {
    name: "403 no access",
    answer: {
      status: 403,
      error: openAIError("You are not allowed to sample from this model", "invalid_request_error"),
    },
    sdkClass: "PermissionDeniedError",
    want: { reason: "refused", permanent: true },
  },
  {
    name: "404 unknown model",
    answer: {
      status: 404,
      error: openAIError("The model `gpt-9` does not exist", "invalid_request_error", "model_not_found"),
    },
    sdkClass: "NotFoundError",
    want: { reason: "refused", permanent: true },
  },
  {
    name: "422 unprocessable",
    answer: { status: 422, error: openAIError("unprocessable", "invalid_request_error") },
    sdkClass: "UnprocessableEntityError",
    want: { reason: "refused", permanent: true },
  },
  {
    name: "408 request timeout",
    answer: { status: 408, error: openAIError("request timed out", "timeout") },
    sdkClass: "APIError",
    want: { reason: "http", permanent: false },
  },
  {
    name: "409 conflict",
    answer: { status: 409, error: openAIError("lock timeout", "conflict") },
    sdkClass: "ConflictError",
    want: { reason: "http", permanent: false },
  },
  {
    name: "500 server error",
    answer: { status: 500, error: openAIError("The server had an error", "server_error") },
    sdkClass: "InternalServerError",
    want: { reason: "http", permanent: false },
  },
  {
    name: "503 overloaded",
    answer: { status: 503, error: openAIError("The engine is currently overloaded", "server_error") },
    sdkClass: "InternalServerError",
    want: { reason: "http", permanent: false },
  },
  {
    name: "429 rate limit",
    answer: {
      status: 429,
      error: openAIError("Rate limit reached for requests", "requests", "rate_limit_exceeded"),
      headers: { "retry-after": "1" },
    },
    sdkClass: "RateLimitError",
    want: { rateLimited: true },
  },
  {
    name: "429 insufficient_quota (billing)",
    answer: {
      status: 429,
      error: openAIError("You exceeded your current quota", "insufficient_quota", "insufficient_quota"),
      // OpenAI tells its own SDK not to retry a quota error.
      headers: { "x-should-retry": "false" },
    },
    sdkClass: "RateLimitError",
    want: { reason: "quota", permanent: true },
  },
  {
    name: "500 with x-should-retry: false",
    answer: {
      status: 500,
      error: openAIError("do not retry", "server_error"),
      headers: { "x-should-retry": "false" },
    },
    sdkClass: "InternalServerError",
    want: { reason: "refused", permanent: true },
  },
  {
    name: "400 with x-should-retry: true",
    answer: {
      status: 400,
      error: openAIError("retry me", "invalid_request_error"),
      headers: { "x-should-retry": "true" },
    },
    sdkClass: "BadRequestError",
    want: { reason: "http", permanent: false },
  },
];

describe("openai executor against the fixture server", () => {
  it("returns the reply with usage, cost from the price table, and the x-ratelimit-* limits", async () => {
    const server = await startOpenAIFixture({ requestsPerMinute: 50, tokensPerMinute: 9000 });
    try {
      const executor = createOpenAIExecutor({ baseUrl: server.url, prices });
      const before = Date.now();
      const result = await executor.run({ ...base, prompt: "Hello there\nmore", model: "fixture-model" });
      assert.equal(result.output, "Fixture reply to: Hello there");
      assert.equal(result.model, "fixture-model");
      assert.deepEqual(result.usage, { input_tokens: 4, output_tokens: 8 });
      assert.equal(result.cost_usd, 4 * 1 + 8 * 2);
      assert.equal(result.unpriced, undefined);
      assert.equal(result.handoff, false);
      assert.equal(result.limits?.source, "openai");
      assert.equal(result.limits?.requests?.limit, 50);
      assert.equal(result.limits?.requests?.remaining, 49, "what is left after this request");
      assert.equal(result.limits?.tokens?.limit, 9000);
      assert.ok((result.limits?.requests?.resets_at ?? 0) >= before);
      assert.equal(server.requests, 1);
      const health = await fetch(server.url.replace(/\/v1$/, "/health"));
      assert.equal(health.status, 200);
    } finally {
      await server.close();
    }
  });

  it("sends the system prompt as a system message and the output cap as max_tokens", async () => {
    const server = await startOpenAIFixture();
    try {
      await createOpenAIExecutor({ baseUrl: server.url }).run({
        ...base,
        prompt: "the task",
        model: "fixture-model",
        systemPrompt: "You are terse.",
        maxTokens: 321,
      });
      const call = server.calls[0];
      assert.equal(call?.system, "You are terse.");
      assert.equal(call?.prompt, "the task");
      assert.equal(call?.max_tokens, 321);
    } finally {
      await server.close();
    }
  });

  it("keeps cached and reasoning tokens apart and prices cached input at its own rate", async () => {
    const server = await startOpenAIFixture({
      answer: () => ({
        content: "ok",
        usage: {
          prompt_tokens: 1000,
          completion_tokens: 300,
          total_tokens: 1300,
          prompt_tokens_details: { cached_tokens: 800 },
          completion_tokens_details: { reasoning_tokens: 200 },
        },
      }),
    });
    try {
      const r = await createOpenAIExecutor({ baseUrl: server.url, prices }).run({
        ...base,
        prompt: "x",
        model: "fixture-model",
      });
      assert.deepEqual(r.usage, {
        input_tokens: 200,
        output_tokens: 300,
        cache_read_input_tokens: 800,
        reasoning_tokens: 200,
      });
      assert.equal(r.cost_usd, 200 * 1 + 300 * 2 + 800 * 0.5);
    } finally {
      await server.close();
    }
  });

  it("given a cost the provider reports (usage.cost), then it wins over the price table", async () => {
    const server = await startOpenAIFixture({ answer: () => ({ content: "ok", usage: { cost: 0.0042 } }) });
    try {
      const r = await createOpenAIExecutor({ baseUrl: server.url, prices }).run({
        ...base,
        prompt: "x",
        model: "fixture-model",
      });
      assert.equal(r.cost_usd, 0.0042);
    } finally {
      await server.close();
    }
  });

  it("given a model without a price, then the run is unpriced (not $0) and handoffs are detected", async () => {
    const server = await startOpenAIFixture({
      reply: () => "Half.\nREMAINING_WORK: other half\nHANDOFF_REQUIRED",
    });
    try {
      const result = await createOpenAIExecutor({ baseUrl: `${server.url}/` }).run({
        ...base,
        prompt: "x",
        model: "m",
      });
      assert.equal(result.unpriced, true);
      assert.equal(result.cost_usd, 0);
      assert.equal(result.handoff, true);
      assert.equal(result.remaining, "other half");
    } finally {
      await server.close();
    }
  });

  it("given finish_reason length, then the answer is marked truncated", async () => {
    const server = await startOpenAIFixture({
      answer: () => ({ content: "The first half of", finish_reason: "length" }),
    });
    try {
      const r = await createOpenAIExecutor({ baseUrl: server.url }).run({
        ...base,
        prompt: "x",
        maxTokens: 5,
      });
      assert.equal(r.truncated, true);
      assert.equal(r.output, "The first half of");
    } finally {
      await server.close();
    }
  });

  it("given finish_reason content_filter, then the request counts as refused", async () => {
    const server = await startOpenAIFixture({
      answer: () => ({ content: "", finish_reason: "content_filter" }),
    });
    try {
      await assert.rejects(
        createOpenAIExecutor({ baseUrl: server.url }).run({ ...base, prompt: "x" }),
        failsWith("refused", true),
      );
    } finally {
      await server.close();
    }
  });

  for (const c of ERROR_CASES) {
    it(`given ${c.name}, then the SDK raises ${c.sdkClass} and the executor's verdict matches whether the SDK retries it`, async () => {
      const server = await startOpenAIFixture({ answer: () => c.answer });
      try {
        const err = await createOpenAIExecutor({ baseUrl: server.url })
          .run({ ...base, prompt: "x", model: "fixture-model" })
          .then(
            () => assert.fail("expected a failure"),
            (e: unknown) => e,
          );
        if ("rateLimited" in c.want) {
          assert.ok(err instanceof RateLimitedError, String(err));
          assert.equal(err.retryAfterMs, 1000);
          assert.equal(err.limits?.source, "openai");
        } else {
          failsWith(c.want.reason, c.want.permanent)(err);
          assert.match(
            (err as Error).message,
            new RegExp(`HTTP ${c.answer.status} for model fixture-model: `),
          );
          assert.equal(
            (err as ExecutorError).limits?.requests?.limit,
            10_000,
            "limits travel with errors too",
          );
        }
        // The oracle: the real SDK against the same answer, allowed one retry.
        const before = server.requests;
        const client = new OpenAI({ apiKey: "k", baseURL: server.url, maxRetries: 1, timeout: 10_000 });
        const sdkErr = await client.chat.completions
          .create({ model: "fixture-model", messages: [{ role: "user", content: "x" }] })
          .then(
            () => assert.fail("the SDK should fail too"),
            (e: unknown) => e,
          );
        assert.equal((sdkErr as Error).constructor.name, c.sdkClass);
        const sdkRetried = server.requests - before === 2;
        const weRetry = "rateLimited" in c.want || !c.want.permanent;
        assert.equal(weRetry, sdkRetried, `the SDK ${sdkRetried ? "retries" : "does not retry"} ${c.name}`);
      } finally {
        await server.close();
      }
    });
  }

  it("given a 429 with retry-after-ms and retry-after, then retry-after-ms wins; without either, the exhausted window's reset", async () => {
    let n = 0;
    const server = await startOpenAIFixture({
      answer: (): FixtureAnswer => {
        n++;
        const error = openAIError("slow down", "requests", "rate_limit_exceeded");
        return n === 1
          ? { status: 429, error, headers: { "retry-after-ms": "1500", "retry-after": "7" } }
          : {
              status: 429,
              error,
              headers: { "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "6m0s" },
            };
      },
    });
    try {
      const executor = createOpenAIExecutor({ baseUrl: server.url });
      await assert.rejects(
        executor.run({ ...base, prompt: "x" }),
        (e: unknown) => e instanceof RateLimitedError && e.retryAfterMs === 1500,
      );
      await assert.rejects(executor.run({ ...base, prompt: "x" }), (e: unknown) => {
        assert.ok(e instanceof RateLimitedError);
        assert.ok(e.retryAfterMs > 350_000 && e.retryAfterMs <= 360_000, String(e.retryAfterMs));
        return true;
      });
    } finally {
      await server.close();
    }
  });

  it("turns a 429 from the window limit into RateLimitedError with the Retry-After delay and the model", async () => {
    const server = await startOpenAIFixture({ requestsPerMinute: 1 });
    try {
      const executor = createOpenAIExecutor({ baseUrl: server.url });
      await executor.run({ ...base, prompt: "first", model: "m1" });
      await assert.rejects(executor.run({ ...base, prompt: "second", model: "m1" }), (err: unknown) => {
        assert.ok(err instanceof RateLimitedError);
        assert.ok(err.retryAfterMs > 0 && err.retryAfterMs <= 60_000, String(err.retryAfterMs));
        assert.equal(err.model, "m1");
        assert.equal(err.limits?.requests?.remaining, 0);
        return true;
      });
      assert.equal(server.rejected, 1);
    } finally {
      await server.close();
    }
  });

  it("enforces a token limit over a sliding window that frees up", async () => {
    const server = await startOpenAIFixture({
      tokensPerMinute: 20,
      windowMs: 300,
      reply: () => "r".repeat(40),
    });
    try {
      const executor = createOpenAIExecutor({ baseUrl: server.url });
      await executor.run({ ...base, prompt: "1234" });
      await assert.rejects(executor.run({ ...base, prompt: "1234" }), RateLimitedError);
      await new Promise((resolve) => setTimeout(resolve, 350));
      await executor.run({ ...base, prompt: "1234" });
      assert.equal(server.rejected, 1);
    } finally {
      await server.close();
    }
  });

  it("given the right key, then it answers; given a wrong one, auth fails and the probe says so", async () => {
    const server = await startOpenAIFixture({ apiKey: "right" });
    try {
      const wrong = createOpenAIExecutor({ baseUrl: server.url, apiKey: "wrong" });
      await assert.rejects(wrong.run({ ...base, prompt: "x" }), (err: unknown) => {
        failsWith("auth", true)(err);
        assert.match((err as Error).message, /HTTP 401.*Incorrect API key.*OPENAI_API_KEY/);
        return true;
      });
      const refused = await wrong.probeAuth?.();
      assert.equal(refused?.ok, false);
      assert.equal(refused?.authoritative, true);
      const right = createOpenAIExecutor({ baseUrl: server.url, apiKey: "right" });
      assert.equal((await right.run({ ...base, prompt: "x" })).output, "Fixture reply to: x");
      assert.equal((await right.probeAuth?.())?.ok, true);
    } finally {
      await server.close();
    }
  });

  it("fails with timeout or aborted when the server is slow", async () => {
    const server = await startOpenAIFixture({ delayMs: 2000 });
    try {
      const executor = createOpenAIExecutor({ baseUrl: server.url });
      await assert.rejects(executor.run({ ...base, prompt: "x", timeoutMs: 200 }), failsWith("timeout"));
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      await assert.rejects(
        executor.run({ ...base, prompt: "x", signal: controller.signal }),
        failsWith("aborted"),
      );
    } finally {
      await server.close();
    }
  });

  it("fails with http (worth another attempt) when nothing listens", async () => {
    const server = await startOpenAIFixture();
    await server.close();
    await assert.rejects(
      createOpenAIExecutor({ baseUrl: server.url }).run({ ...base, prompt: "x" }),
      failsWith("http", false),
    );
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");
  const cases: { name: string; headers: Record<string, string>; ms: number }[] = [
    { name: "seconds", headers: { "retry-after": "7" }, ms: 7000 },
    { name: "HTTP date", headers: { "retry-after": "Wed, 01 Jan 2025 00:00:30 GMT" }, ms: 30_000 },
    { name: "date in the past", headers: { "retry-after": "Tue, 31 Dec 2024 00:00:00 GMT" }, ms: 0 },
    { name: "retry-after-ms wins", headers: { "retry-after-ms": "1500", "retry-after": "7" }, ms: 1500 },
    { name: "missing", headers: {}, ms: DEFAULT_RETRY_AFTER_MS },
    { name: "garbage", headers: { "retry-after": "soon" }, ms: DEFAULT_RETRY_AFTER_MS },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(parseRetryAfter(new Headers(c.headers), now), c.ms));
  }
});
