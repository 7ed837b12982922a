import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ExecutorError } from "../../src/core/errors.ts";
import { createEchoExecutor, ECHO_CRITIC_ANSWER, ECHO_LABEL } from "../../src/executors/echo.ts";

const base = { cwd: "/tmp", timeoutMs: 1000 };

describe("echo executor", () => {
  it("answers offline, labelled, and deterministically from the prompt", async () => {
    const echo = createEchoExecutor();
    const prompt = "Write a haiku about rain\nwith details";
    const first = await echo.run({ ...base, prompt });
    const second = await echo.run({ ...base, prompt });
    assert.equal(first.offline, true);
    assert.equal(first.model, "echo");
    assert.equal(first.cost_usd, 0);
    assert.equal(first.handoff, false);
    assert.ok(first.output.startsWith(ECHO_LABEL));
    assert.match(first.output, /Write a haiku about rain/);
    assert.match(first.output, new RegExp(`${prompt.length} characters`));
    assert.deepEqual(first.usage, {
      input_tokens: Math.ceil(prompt.length / 4),
      output_tokens: Math.ceil(first.output.length / 4),
    });
    assert.equal(second.output, first.output);
  });

  it("answers a critic prompt exactly in the critic format", async () => {
    const result = await createEchoExecutor().run({
      ...base,
      prompt: "Judge this.\nROLE: critic\nOutput: x",
    });
    assert.equal(result.output, ECHO_CRITIC_ANSWER);
    assert.equal(
      result.output,
      "compliance: 9\nuniqueness: 8\nquality: 9\nCritique: [offline echo executor] fixed critique — no LLM judged this output.",
    );
    assert.equal(result.offline, true);
  });

  it("waits delayMs and rejects with reason aborted when the signal fires", async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(
      createEchoExecutor({ delayMs: 5000 }).run({ ...base, prompt: "x", signal: controller.signal }),
      (err: unknown) => err instanceof ExecutorError && err.reason === "aborted",
    );
    assert.ok(Date.now() - started < 2000);
  });

  it("honours delayMs", async () => {
    const started = Date.now();
    await createEchoExecutor({ delayMs: 100 }).run({ ...base, prompt: "x" });
    assert.ok(Date.now() - started >= 90);
  });
});
