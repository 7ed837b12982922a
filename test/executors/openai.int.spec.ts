import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { describe, it } from "node:test";
import { ExecutorError, RateLimitedError } from "../../src/core/errors.ts";
import { createOpenAIExecutor, DEFAULT_RETRY_AFTER_MS, parseRetryAfter } from "../../src/executors/openai.ts";
import { startOpenAIFixture } from "../fixtures/openai-server.ts";

const base = { cwd: tmpdir(), timeoutMs: 10_000 };
const prices = { "fixture-model": { input_per_mtok: 1_000_000, output_per_mtok: 2_000_000 } };
const failsWith = (reason: string) => (err: unknown) => {
  assert.ok(err instanceof ExecutorError, `expected ExecutorError, got ${String(err)}`);
  assert.equal(err.reason, reason, err.message);
  return true;
};

describe("openai executor against the fixture server", () => {
  it("returns the reply with usage and cost from the price table", async () => {
    const server = await startOpenAIFixture();
    try {
      const executor = createOpenAIExecutor({ baseUrl: server.url, prices });
      const result = await executor.run({ ...base, prompt: "Hello there\nmore", model: "fixture-model" });
      assert.equal(result.output, "Fixture reply to: Hello there");
      assert.equal(result.model, "fixture-model");
      assert.deepEqual(result.usage, { input_tokens: 4, output_tokens: 8 });
      assert.equal(result.cost_usd, 4 * 1 + 8 * 2);
      assert.equal(result.handoff, false);
      assert.equal(server.requests, 1);
      const health = await fetch(server.url.replace(/\/v1$/, "/health"));
      assert.equal(health.status, 200);
    } finally {
      await server.close();
    }
  });

  it("costs an unknown model 0 and detects handoffs in the reply", async () => {
    const server = await startOpenAIFixture({
      reply: () => "Half.\nREMAINING_WORK: other half\nHANDOFF_REQUIRED",
    });
    try {
      const result = await createOpenAIExecutor({ baseUrl: `${server.url}/` }).run({
        ...base,
        prompt: "x",
        model: "m",
      });
      assert.equal(result.cost_usd, 0);
      assert.equal(result.handoff, true);
      assert.equal(result.remaining, "other half");
    } finally {
      await server.close();
    }
  });

  it("turns a 429 into RateLimitedError with the Retry-After delay and the model", async () => {
    const server = await startOpenAIFixture({ requestsPerMinute: 1 });
    try {
      const executor = createOpenAIExecutor({ baseUrl: server.url });
      await executor.run({ ...base, prompt: "first", model: "m1" });
      await assert.rejects(executor.run({ ...base, prompt: "second", model: "m1" }), (err: unknown) => {
        assert.ok(err instanceof RateLimitedError);
        assert.ok(err.retryAfterMs > 0 && err.retryAfterMs <= 60_000, String(err.retryAfterMs));
        assert.equal(err.model, "m1");
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

  it("fails with http, the status and a body excerpt on other errors", async () => {
    const server = await startOpenAIFixture({ apiKey: "right" });
    try {
      const executor = createOpenAIExecutor({ baseUrl: server.url, apiKey: "wrong" });
      await assert.rejects(executor.run({ ...base, prompt: "x" }), (err: unknown) => {
        failsWith("http")(err);
        assert.match((err as Error).message, /HTTP 401.*invalid api key/);
        return true;
      });
      const ok = await createOpenAIExecutor({ baseUrl: server.url, apiKey: "right" }).run({
        ...base,
        prompt: "x",
      });
      assert.equal(ok.output, "Fixture reply to: x");
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

  it("fails with http when nothing listens", async () => {
    const server = await startOpenAIFixture();
    await server.close();
    await assert.rejects(
      createOpenAIExecutor({ baseUrl: server.url }).run({ ...base, prompt: "x" }),
      failsWith("http"),
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
