import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
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

  // Every message the fake CLI writes is typed against @anthropic-ai/claude-agent-sdk's SDKMessage
  // (test/fixtures/claude-messages.ts); the not-logged-in shape was recorded from claude 2.1.333.
  it("returns the answer with usage, cost, session id and turns counted per response, not per block", async () => {
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
    // Turns 1 and 2 are a text block and a tool call each (two messages sharing a message id), so
    // five assistant messages arrive but the agent took three turns.
    assert.deepEqual(
      progress.map((p) => p.turns),
      [1, 1, 2, 2, 3],
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
      "--no-session-persistence",
      "--model=claude-test",
      "--max-turns=7",
      "--permission-mode=acceptEdits",
    ]);
  });

  it("given a permission mode, tools and a system prompt, then each reaches the CLI as one --flag=value word", async () => {
    await executor().run(
      request("Write a line", {
        permissionMode: "plan",
        allowedTools: ["Bash(npm test)", "WebFetch"],
        systemPrompt: "--dangerously-skip-permissions\nbe brief",
      }),
    );
    const args = (await tmp.runs()).at(-1)?.args ?? [];
    assert.ok(args.includes("--permission-mode=plan"), args.join(" "));
    assert.ok(args.includes("--allowedTools=Bash(npm test),WebFetch"), args.join(" "));
    assert.ok(args.includes("--append-system-prompt=--dangerously-skip-permissions\nbe brief"));
    assert.ok(!args.includes("--dangerously-skip-permissions"), args.join(" "));
  });

  it("given a usage limit (success, is_error, 429, rate_limit, a rejected rate_limit_event), then it waits until resetsAt", async () => {
    const before = Date.now();
    await assert.rejects(
      executor().run(request("Task\nFIXTURE: usage-limit 7200", { model: "sonnet" })),
      (err: unknown) => {
        assert.ok(err instanceof RateLimitedError, String(err));
        assert.equal(err.kind, "usage_limit");
        assert.equal(err.scope, "executor");
        assert.equal(err.model, "sonnet");
        assert.ok(err.resetsAt !== undefined && err.resetsAt >= before + 7_100_000, String(err.resetsAt));
        assert.ok(err.retryAfterMs > 7_000_000, String(err.retryAfterMs));
        assert.match(err.message, /usage limit until .*You've hit your usage limit · resets/);
        assert.equal(err.limits?.source, "claude_cli");
        assert.equal(err.limits?.status, "rejected");
        assert.equal(err.limits?.window, "five_hour");
        return true;
      },
    );
  });

  it("given a usage limit of opus alone (seven_day_opus), then only the model is held", async () => {
    await assert.rejects(
      executor().run(request("Task\nFIXTURE: usage-limit 60 seven_day_opus", { model: "opus" })),
      (err: unknown) =>
        err instanceof RateLimitedError && err.scope === "model" && err.kind === "usage_limit",
    );
  });

  it("given the CLI is not logged in, then the run fails with reason auth and says how to log in", async () => {
    await assert.rejects(executor().run(request("Task\nFIXTURE: not-logged-in")), (err: unknown) => {
      failsWith("auth")(err);
      const e = err as ExecutorError;
      assert.equal(e.permanent, true);
      assert.match(
        e.message,
        /authentication_failed.*Not logged in · Please run \/login.*claude setup-token/,
      );
      return true;
    });
  });

  it("given an expired token (401), then the run fails with reason auth", async () => {
    await assert.rejects(executor().run(request("Task\nFIXTURE: auth-expired")), (err: unknown) => {
      failsWith("auth")(err);
      assert.match((err as Error).message, /OAuth token has expired/);
      return true;
    });
  });

  it("given an error subtype with errors[] and no result, then the errors are in the reason", async () => {
    await assert.rejects(
      executor().run(request("Task\nFIXTURE: error-during-execution the disk is full")),
      (err: unknown) => {
        failsWith("agent_error")(err);
        assert.match((err as Error).message, /error_during_execution.*the disk is full; the agent stopped/);
        assert.equal((err as ExecutorError).permanent, false);
        return true;
      },
    );
  });

  it("given a refused tool call, then the denial is on the result and the run still answers", async () => {
    const result = await executor().run(request("Task\nFIXTURE: deny Bash"));
    assert.match(result.output, /^Fixture answer for: Task/);
    assert.equal(result.permission_denials?.length, 1);
    assert.equal(result.permission_denials?.[0]?.tool_name, "Bash");
    assert.match(result.permission_denials?.[0]?.input ?? "", /rm -rf build/);
  });

  it("given the default permission mode, then Write is refused; given acceptEdits (our default), then the file is written", async () => {
    const denied = await executor().run(
      request("Task\nFIXTURE: write-file a.txt hello", { permissionMode: "default" }),
    );
    assert.equal(denied.permission_denials?.[0]?.tool_name, "Write");
    const written = await executor().run(request("Task\nFIXTURE: write-file b.txt hello"));
    assert.equal(written.permission_denials, undefined);
    assert.equal(await readFile(join(tmp.dir, "b.txt"), "utf8"), "hello");
  });

  it("given modelUsage with several models, then each model's tokens and cost are reported and summed", async () => {
    const result = await executor().run(
      request("Task\nFIXTURE: models claude-sonnet-4-5,claude-haiku-4-5\nFIXTURE: cost 0.5", {
        model: "sonnet",
      }),
    );
    assert.deepEqual(
      result.model_usage?.map((m) => [m.model, m.cost_usd]),
      [
        ["claude-sonnet-4-5", 0.25],
        ["claude-haiku-4-5", 0.25],
      ],
    );
    assert.equal(result.cost_usd, 0.5);
    const tokens = (result.model_usage ?? []).reduce((s, m) => s + m.output_tokens, 0);
    assert.equal(result.usage.output_tokens, tokens);
  });

  it("answers whether it is logged in (claude auth status)", async () => {
    const probe = await executor().probeAuth?.();
    assert.equal(probe?.ok, true);
    assert.equal(probe?.method, "oauth_token");
    const out = createClaudeExecutor({
      command: process.execPath,
      args: [fakeClaudePath],
      env: { FIXTURE_AUTH: "none" },
    });
    const none = await out.probeAuth?.();
    assert.equal(none?.ok, false);
    assert.equal(none?.detail, "not logged in");
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

  it("treats error_max_turns (errors[], no result) as a handoff, not a failure", async () => {
    const result = await executor().run(request("Long task\nFIXTURE: max-turns"));
    assert.equal(result.handoff, true);
    assert.equal(result.subtype, "error_max_turns");
    assert.match(result.output, /Reached the turn limit while working on: Long task/);
  });

  it("given max_turns below the turns the agent needs, then it hands off at the limit", async () => {
    const result = await executor().run(request("Long task\nFIXTURE: turns 5", { maxTurns: 2 }));
    assert.equal(result.handoff, true);
    assert.equal(result.num_turns, 2);
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

  it("turns a plain API rate limit (429, no rate_limit_event) into RateLimitedError with 60 s", async () => {
    await assert.rejects(
      executor().run(request("Task\nFIXTURE: rate-limit", { model: "m" })),
      (err: unknown) => {
        assert.ok(err instanceof RateLimitedError);
        assert.equal(err.kind, "rate_limit");
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
      assert.match((err as Error).message, /code 1.*unknown option '--bogus'/);
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
    const controller = new AbortController();
    const before = (await tmp.runs()).length;
    const run = executor().run(
      request("Stubborn\nFIXTURE: ignore-sigterm\nFIXTURE: hang", {
        timeoutMs: 60_000,
        killGraceMs: 300,
        signal: controller.signal,
      }),
    );
    // Stop it only once it is up and ignoring SIGTERM (it logs its run after installing the handler).
    for (let i = 0; i < 300 && (await tmp.runs()).length === before; i++) await sleep(100);
    const stoppedAt = Date.now();
    controller.abort();
    await assert.rejects(run, (err: unknown) => {
      failsWith("aborted")(err);
      assert.match((err as Error).message, /ignored SIGTERM and was killed with SIGKILL after 300 ms/);
      return true;
    });
    assert.ok(Date.now() - stoppedAt >= 250, "SIGKILL comes only after the grace period");
    const last = (await tmp.runs()).at(-1);
    assert.ok(last && !isAlive(last.pid), "fixture process should be gone");
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
