import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Subjects } from "../../src/core/events/index.ts";
import { findOutput } from "../../src/core/ports/artifact-store.ts";
import { Artifacts } from "../../src/nats/artifacts.ts";
import { ofType, startStack, type TestStack } from "../support/index.ts";

const PRINT_ENV = fileURLToPath(new URL("../fixtures/print-env.mjs", import.meta.url));

// What a worker holds; an agent must not see any of it except its own executor's credentials.
const SECRETS = {
  AGENTS_API_KEY: "gateway-key-0123456789abcdef",
  OPENAI_API_KEY: "sk-openai-secret-0123456789",
  ARANGO_PASSWORD: "arango-password-0123456789",
  CLAUDE_CODE_OAUTH_TOKEN: "sk-ant-oat01-claude-token-0123456789",
  ANTHROPIC_API_KEY: "sk-ant-api03-anthropic-key-0123456789",
};
const CLAUDE_OWN = ["CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_API_KEY"] as const;

describe("given workers whose environment holds every secret, running agents that print their environment", () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack({
      ...SECRETS,
      AGENTS_AGENT_ENV: "FIXTURE_LOG,FIXTURE_STATE_DIR,AGENTS_TEST_EXTRA",
      AGENTS_TEST_EXTRA: "named-in-AGENTS_AGENT_ENV",
      AGENTS_TEST_UNNAMED: "not-named-anywhere",
      // The model "local-cmd" is run by the command executor; others by claude.
      AGENTS_MODEL_ROUTES: "local-cmd=command",
    });
    stack.startOrchestrator();
    // The claude worker (the fake CLI) serves standard and critic; the command worker serves heavy.
    stack.startWorker({ AGENTS_QUEUES: "standard,critic" });
    stack.startWorker({
      AGENTS_QUEUES: "heavy",
      AGENTS_EXECUTOR: "command",
      AGENTS_COMMAND: `${process.execPath} ${PRINT_ENV}`,
    });
  });
  after(() => stack.stop());

  /** The environment a job's generator printed, as a map. */
  async function printedEnv(submission: Record<string, unknown>): Promise<Map<string, string>> {
    const jobId = await stack.submit(submission);
    const events = await stack.waitFor(
      Subjects.tasks,
      (es) => ofType(es, "task.completed").some((e) => e.event.task_id === `${jobId}-i1-g`),
      40_000,
    );
    const done = ofType(events, "task.completed").find((e) => e.event.task_id === `${jobId}-i1-g`);
    assert.ok(done, "the generator completed");
    const text = (await findOutput(await Artifacts.open(stack.nc), done.event.data)) ?? "";
    return new Map(
      text
        .split("\n")
        .filter((l) => l.includes("="))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)] as [string, string]),
    );
  }

  it("when the claude executor runs it, then it sees only Claude's credentials, the base variables and the named extras", async () => {
    const env = await printedEnv({ spec: "Print your environment.\nFIXTURE: print-env", count: 1 });
    const text = [...env].map(([k, v]) => `${k}=${v}`).join("\n");
    for (const name of CLAUDE_OWN)
      assert.equal(env.get(name), SECRETS[name], `${name} reaches the Claude CLI`);
    for (const name of ["AGENTS_API_KEY", "OPENAI_API_KEY", "ARANGO_PASSWORD"] as const)
      assert.ok(!text.includes(SECRETS[name]), `${name} leaked to the claude agent:\n${text}`);
    assert.ok(env.has("PATH") && env.has("HOME"), "PATH and HOME are passed");
    assert.equal(env.get("AGENTS_TEST_EXTRA"), "named-in-AGENTS_AGENT_ENV");
    assert.equal(env.has("AGENTS_TEST_UNNAMED"), false);
    assert.equal(env.has("NATS_URL"), false, "the worker's own settings stay with the worker");
  });

  it("when the command executor runs it, then it sees no secret at all", async () => {
    const env = await printedEnv({
      spec: "Print your environment.",
      count: 1,
      queue: "heavy",
      model: "local-cmd",
    });
    const text = [...env].map(([k, v]) => `${k}=${v}`).join("\n");
    for (const [name, value] of Object.entries(SECRETS))
      assert.ok(!text.includes(value), `${name} leaked to the command agent:\n${text}`);
    assert.ok(env.has("PATH") && env.has("HOME"), "PATH and HOME are passed");
    assert.equal(env.get("AGENTS_TEST_EXTRA"), "named-in-AGENTS_AGENT_ENV");
    assert.equal(env.has("AGENTS_TEST_UNNAMED"), false);
  });
});
