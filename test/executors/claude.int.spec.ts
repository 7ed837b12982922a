import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ExecutorError, RateLimitedError } from "../../src/core/errors.ts";
import type { ExecutorProgress, ExecutorRequest } from "../../src/core/ports/executor.ts";
import { createClaudeExecutor } from "../../src/executors/claude.ts";
import { fakeClaudePath, isAlive, scratch } from "./support.ts";

type Scratch = Awaited<ReturnType<typeof scratch>>;

const failsWith = (reason: string) => (err: unknown) => {
  assert.ok(err instanceof ExecutorError, `expected ExecutorError, got ${String(err)}`);
  assert.equal(err.reason, reason, err.message);
  return true;
};

describe("claude executor against the fake Claude CLI", () => {
  let tmp: Scratch;
  const executor = () =>
    createClaudeExecutor({
      command: process.execPath,
      args: [fakeClaudePath],
      env: { FIXTURE_LOG: tmp.log, FIXTURE_STATE_DIR: tmp.dir },
    });
  const request = (prompt: string, extra: Partial<ExecutorRequest> = {}): ExecutorRequest => ({
    prompt,
    cwd: tmp.dir,
    timeoutMs: 10_000,
    ...extra,
  });

  before(async () => {
    tmp = await scratch();
  });
  after(async () => {
    await tmp.cleanup();
  });

  it("returns the answer with usage, cost, session id and progress per assistant message", async () => {
    const progress: ExecutorProgress[] = [];
    const result = await executor().run(
      request("Write a poem\nFIXTURE: turns 3", {
        model: "claude-test",
        maxTurns: 7,
        onProgress: (p) => progress.push(p),
      }),
    );
    assert.match(result.output, /^Fixture answer for: Write a poem\nprompt-sha256: [0-9a-f]{16}$/);
    assert.equal(result.model, "claude-test");
    assert.equal(result.subtype, "success");
    assert.equal(result.handoff, false);
    assert.equal(result.num_turns, 3);
    assert.match(result.session_id ?? "", /^[0-9a-f-]{36}$/);
    assert.ok(result.usage.input_tokens > 0 && result.usage.output_tokens > 0);
    assert.ok(result.cost_usd > 0);
    assert.deepEqual(
      progress.map((p) => p.turns),
      [1, 2, 3],
    );
    const runs = await tmp.runs();
    const run = runs.at(-1);
    assert.equal(run?.prompt, "Write a poem\nFIXTURE: turns 3");
    assert.equal(run?.cwd, tmp.dir);
    assert.deepEqual(run?.args, [
      "-p",
      "--output-format",
      "stream-json",
      "--verbose",
      "--model=claude-test",
      "--max-turns",
      "7",
    ]);
  });

  it("given a model that looks like a flag, then it reaches the CLI only as --model's value", async () => {
    const result = await executor().run(request("Write a line", { model: "--dangerously-skip-permissions" }));
    assert.equal(result.model, "--dangerously-skip-permissions");
    const args = (await tmp.runs()).at(-1)?.args ?? [];
    assert.ok(args.includes("--model=--dangerously-skip-permissions"), args.join(" "));
    assert.ok(
      !args.includes("--dangerously-skip-permissions"),
      `a separate flag was passed: ${args.join(" ")}`,
    );
  });

  it("reports a handoff with the remaining work and strips the marker", async () => {
    const result = await executor().run(request("Big task\nFIXTURE: handoff"));
    assert.equal(result.handoff, true);
    assert.equal(result.remaining, "finish part 2 of: Big task");
    assert.doesNotMatch(result.output, /HANDOFF_REQUIRED/);
  });

  it("drives a chain of continuations with handoff-times", async () => {
    let prompt = "Chain task\nFIXTURE: handoff-times 2";
    const handoffs: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await executor().run(request(prompt));
      handoffs.push(result.handoff);
      prompt = `${prompt}\nCONTINUATION OF EARLIER WORK\n${result.remaining}`;
    }
    assert.deepEqual(handoffs, [true, true, false]);
  });

  it("treats error_max_turns as a handoff, not a failure", async () => {
    const result = await executor().run(request("Long task\nFIXTURE: max-turns"));
    assert.equal(result.handoff, true);
    assert.equal(result.subtype, "error_max_turns");
  });

  it("fails with agent_error when the result is an error", async () => {
    await assert.rejects(executor().run(request("Task\nFIXTURE: fail")), failsWith("agent_error"));
  });

  it("fails fail-times N runs, then succeeds", async () => {
    const prompt = "Flaky\nFIXTURE: fail-times 2 flaky-key";
    await assert.rejects(executor().run(request(prompt)), failsWith("agent_error"));
    await assert.rejects(executor().run(request(prompt)), failsWith("agent_error"));
    const result = await executor().run(request(prompt));
    assert.match(result.output, /^Fixture answer for: Flaky/);
  });

  it("turns a rate-limit report into RateLimitedError with 60 s", async () => {
    await assert.rejects(
      executor().run(request("Task\nFIXTURE: rate-limit", { model: "m" })),
      (err: unknown) => {
        assert.ok(err instanceof RateLimitedError);
        assert.equal(err.retryAfterMs, 60_000);
        assert.equal(err.model, "m");
        return true;
      },
    );
  });

  it("fails with bad_output when no result event arrives", async () => {
    await assert.rejects(executor().run(request("Task\nFIXTURE: garbage")), failsWith("bad_output"));
  });

  it("fails with exit_code and the stderr tail when the CLI exits non-zero without a result", async () => {
    const broken = createClaudeExecutor({ command: process.execPath, args: [fakeClaudePath, "--bogus"] });
    await assert.rejects(broken.run(request("Task")), (err: unknown) => {
      failsWith("exit_code")(err);
      assert.match((err as Error).message, /code 2.*unknown option '--bogus'/);
      return true;
    });
  });

  it("fails with spawn when the command does not exist", async () => {
    const missing = createClaudeExecutor({ command: "definitely-not-a-claude-binary" });
    await assert.rejects(missing.run(request("Task")), failsWith("spawn"));
  });

  it("times out a hanging agent with SIGTERM and leaves no process behind", async () => {
    const started = Date.now();
    await assert.rejects(
      executor().run(request("Hang\nFIXTURE: hang", { timeoutMs: 500, killGraceMs: 300 })),
      failsWith("timeout"),
    );
    assert.ok(Date.now() - started < 3000);
    const run = (await tmp.runs()).at(-1);
    assert.ok(run && !isAlive(run.pid), "fixture process should be gone");
  });

  it("kills an agent that ignores SIGTERM with SIGKILL after the grace period", async () => {
    const started = Date.now();
    await assert.rejects(
      executor().run(
        request("Stubborn\nFIXTURE: ignore-sigterm\nFIXTURE: hang", { timeoutMs: 500, killGraceMs: 300 }),
      ),
      (err: unknown) => {
        failsWith("timeout")(err);
        assert.match((err as Error).message, /SIGKILL/);
        return true;
      },
    );
    assert.ok(Date.now() - started >= 750, "SIGKILL comes only after the grace period");
    const run = (await tmp.runs()).at(-1);
    assert.ok(run && !isAlive(run.pid), "fixture process should be gone");
  });

  it("rejects with aborted when the caller aborts, and kills the agent", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(
      executor().run(request("Abort me\nFIXTURE: hang", { signal: controller.signal, killGraceMs: 300 })),
      failsWith("aborted"),
    );
    const run = (await tmp.runs()).at(-1);
    assert.ok(run && !isAlive(run.pid), "fixture process should be gone");
  });

  it("honours sleep and still answers", async () => {
    const started = Date.now();
    const result = await executor().run(request("Slow\nFIXTURE: sleep 200"));
    assert.ok(Date.now() - started >= 190);
    assert.match(result.output, /^Fixture answer for: Slow/);
  });

  it("returns the text given by output and critic directives", async () => {
    const out = await executor().run(request("x\nFIXTURE: output line one\\nline two"));
    assert.equal(out.output, "line one\nline two");
    const critic = await executor().run(request("x\nFIXTURE: critic 7 6 5"));
    assert.match(critic.output, /^compliance: 7\nuniqueness: 6\nquality: 5\nCritique: /);
  });
});
