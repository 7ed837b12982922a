// The flags the claude executor passes exist in the real Claude Code CLI, and its `auth status
// --json` answers in the shape the executor reads. The CLI comes with @anthropic-ai/claude-agent-sdk
// (a dev dependency: its platform package holds the native binary), or from PATH; it answers
// `--help` and `auth status` offline. Skipped, with the reason, where neither is installed.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { PermissionMode } from "../../src/core/events/catalogue/submission.ts";
import { claudeArgs } from "../../src/executors/claude.ts";
import { isOnPath } from "../../src/executors/which.ts";

const bundled = fileURLToPath(
  new URL(
    `../../node_modules/@anthropic-ai/claude-agent-sdk-${process.platform}-${process.arch}/claude`,
    import.meta.url,
  ),
);
const cli = existsSync(bundled) ? bundled : isOnPath("claude") ? "claude" : undefined;

describe("the real Claude Code CLI", { skip: cli ? false : "no Claude Code CLI installed here" }, () => {
  const run = (args: string[], env: Record<string, string> = {}) =>
    execa(cli as string, args, { reject: false, timeout: 60_000, env: { ...env, CI: "1" }, stdin: "ignore" });

  it("given every flag the executor can pass, then the CLI accepts them all (it answers, not logged in)", async () => {
    // Not every flag is listed by --help (--max-turns is hidden in 2.1.x), so each is tried for real:
    // an unknown option stops the CLI at once with "error: unknown option"; known ones go on to the
    // run, which offline and without a login ends in its not-logged-in result.
    const args = claudeArgs({
      prompt: "",
      cwd: ".",
      timeoutMs: 1,
      model: "sonnet",
      maxTurns: 3,
      permissionMode: "plan",
      allowedTools: ["Read", "Bash(npm test)"],
      systemPrompt: "be brief",
    });
    const home = await mkdtemp(join(tmpdir(), "claude-home-"));
    try {
      const r = await execa(cli as string, args, {
        reject: false,
        timeout: 60_000,
        input: "say hi",
        env: { HOME: home, PATH: process.env.PATH ?? "", CI: "1" },
        extendEnv: false,
      });
      assert.doesNotMatch(r.stderr, /unknown option|is invalid/, r.stderr);
      const last = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, unknown>;
      assert.equal(last.type, "result", r.stdout.slice(-500));
      assert.equal(last.is_error, true);
      assert.match(String(last.result), /Not logged in/);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it("given our permission modes (the SDK's), then the CLI's --permission-mode takes each", async () => {
    const help = (await run(["--help"])).stdout.replace(/\s+/g, " ");
    const choices = /--permission-mode <mode>.*?\(choices: ([^)]*)\)/.exec(help)?.[1] ?? "";
    // The CLI lists the SDK's "default" as "manual" and accepts both.
    for (const mode of PermissionMode.options.filter((m) => m !== "default"))
      assert.ok(choices.includes(`"${mode}"`), `${mode} in ${choices}`);
  });

  it("given no login, then auth status --json says loggedIn false in the shape the executor reads", async () => {
    const home = await mkdtemp(join(tmpdir(), "claude-home-"));
    try {
      const r = await run(["auth", "status", "--json"], { HOME: home, PATH: process.env.PATH ?? "" });
      const status = JSON.parse(r.stdout) as {
        loggedIn: unknown;
        authMethod: unknown;
        loginExpiresAt: unknown;
      };
      assert.equal(status.loggedIn, false);
      assert.equal(typeof status.authMethod, "string");
      assert.ok("loginExpiresAt" in status);
      assert.equal(r.exitCode, 1);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
