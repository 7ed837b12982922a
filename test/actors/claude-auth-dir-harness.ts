// The stack both claude-auth-dir int files start: a token stored by `agents auth setup` (a real CLI
// subprocess, the token on stdin), an orchestrator, a worker whose environment holds no Claude
// credentials (it reads AGENTS_CLAUDE_AUTH_DIR and rechecks every second) and the fixture Claude CLI
// that knows the token in FIXTURE_EXPECT_TOKEN_FILE, and a gateway to read /health and /metrics.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Subjects } from "../../src/core/events/index.ts";
import { runCli } from "../e2e/support.ts";
import { attachGateway } from "../gateway/harness.ts";
import { ofType, startStack, type TestStack } from "../support/index.ts";

/** A run of the fake CLI starts a tsx process: on a loaded machine a job of several runs takes a while. */
export const BUDGET_MS = 90_000;
export const TOKEN_A = `sk-ant-oat01-${"a".repeat(40)}-first`;
export const sha = (t: string) => createHash("sha256").update(t).digest("hex");

type ExecutorView = {
  route: string;
  auth: { state: string; detail: string; method?: string; expires_at?: string | null };
};
type Health = {
  status: string;
  workers: { live: number; list: Array<{ worker_id: string; executors: ExecutorView[] }> };
};

// No Claude credentials of the test's own environment reach the CLI subprocesses.
const noOwnCredentials = { CLAUDE_CODE_OAUTH_TOKEN: "", ANTHROPIC_API_KEY: "", ANTHROPIC_AUTH_TOKEN: "" };

export type AuthDirStack = Awaited<ReturnType<typeof startAuthDirStack>>;

/** Store TOKEN_A with `agents auth setup ...setupArgs`, then start the actors and a gateway. */
export async function startAuthDirStack(setupArgs: string[] = []) {
  const stack: TestStack = await startStack();
  const authDir = join(stack.dir, "claude-auth");
  const providerToken = join(stack.dir, "provider-token");
  const setup = (token: string, args: string[] = []) =>
    runCli(["auth", "setup", ...args], { ...noOwnCredentials, AGENTS_CLAUDE_AUTH_DIR: authDir }, token);
  await writeFile(providerToken, TOKEN_A);
  const stored = await setup(`${TOKEN_A}\n`, setupArgs);
  assert.equal(stored.code, 0, stored.stderr);
  stack.startOrchestrator();
  stack.startWorker({
    ...noOwnCredentials,
    AGENTS_CLAUDE_AUTH_DIR: authDir,
    AGENTS_AUTH_RECHECK_MS: "1000",
    FIXTURE_EXPECT_TOKEN_FILE: providerToken,
    AGENTS_AGENT_ENV: "FIXTURE_LOG,FIXTURE_STATE_DIR,FIXTURE_EXPECT_TOKEN_FILE",
  });
  const gateway = await attachGateway(stack.nc);
  const health = async () => (await gateway.app.inject({ method: "GET", url: "/health" })).json() as Health;
  return {
    stack,
    gateway,
    authDir,
    providerToken,
    /** What the first setup printed. */
    stored,
    setup,
    health,
    claudeAuth: async () =>
      (await health()).workers.list[0]?.executors.find((e) => e.route === "claude")?.auth,
    metrics: async () => (await gateway.app.inject({ method: "GET", url: "/metrics" })).body,
    /** Run a job to its end (its critic too: no run is left in flight when a test rotates the token). */
    runClaudeJob: async (spec: string) => {
      const jobId = await stack.submit({ spec, count: 1, model: "sonnet" });
      await stack.waitFor(Subjects.job(jobId), (es) => ofType(es, "job.completed").length > 0, BUDGET_MS);
      return stack.events(Subjects.task(`${jobId}-i1-g`));
    },
    stop: async () => {
      await gateway.stop();
      await stack.stop();
    },
  };
}
