import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { describe, it } from "node:test";
import { ExecutorError } from "../../src/core/errors.ts";
import { createCommandExecutor } from "../../src/executors/command.ts";

const node = (script: string) => createCommandExecutor({ command: process.execPath, args: ["-e", script] });
const cat = node("process.stdin.pipe(process.stdout)");
const base = { cwd: tmpdir(), timeoutMs: 10_000 };
const failsWith = (reason: string) => (err: unknown) => {
  assert.ok(err instanceof ExecutorError, `expected ExecutorError, got ${String(err)}`);
  assert.equal(err.reason, reason, err.message);
  return true;
};

describe("command executor", () => {
  it("passes the prompt on stdin and takes stdout as the answer", async () => {
    const prompt = "Echo this back\nplease";
    const result = await cat.run({ ...base, prompt, model: "local" });
    assert.equal(result.output, prompt);
    assert.equal(result.model, "local");
    assert.equal(result.cost_usd, 0);
    assert.equal(result.handoff, false);
    assert.deepEqual(result.usage, { input_tokens: 6, output_tokens: 6 });
  });

  it("detects a handoff in the answer", async () => {
    const result = await cat.run({
      ...base,
      prompt: "Part one.\nREMAINING_WORK: part two\nHANDOFF_REQUIRED\n",
    });
    assert.equal(result.handoff, true);
    assert.equal(result.remaining, "part two");
    assert.equal(result.output, "Part one.\nREMAINING_WORK: part two");
  });

  it("fails with exit_code and the stderr tail", async () => {
    const failing = node("process.stderr.write('boom'); process.exit(3)");
    await assert.rejects(failing.run({ ...base, prompt: "x" }), (err: unknown) => {
      failsWith("exit_code")(err);
      assert.match((err as Error).message, /code 3.*boom/);
      return true;
    });
  });

  it("times out with SIGTERM then SIGKILL", async () => {
    const stubborn = node("process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)");
    const started = Date.now();
    await assert.rejects(
      stubborn.run({ ...base, prompt: "x", timeoutMs: 300, killGraceMs: 200 }),
      failsWith("timeout"),
    );
    assert.ok(Date.now() - started >= 450);
  });

  it("rejects with aborted when the caller aborts", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(
      node("setInterval(() => {}, 1000)").run({ ...base, prompt: "x", signal: controller.signal }),
      failsWith("aborted"),
    );
  });
});
