// The installed `agents` command (bin/agents.js) runs the TypeScript sources through tsx. The other
// tests run a bundle of the same sources (support/cli-bundle.ts), so this file checks the shipped
// way: a client command, and the actors coming up against a real nats-server.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { jobIdFor } from "../../src/core/ids.ts";
import { freePort, startStack, type TestStack } from "../support/index.ts";
import { eventually } from "../support/processes.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = fileURLToPath(new URL("../../bin/agents.js", import.meta.url));
/** Process start-up only (tsx transforms the sources on a shared machine), never a figure. */
const START_BUDGET_MS = 120_000;

type Run = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

function runBin(args: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (d: Buffer) => {
    output += d.toString();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { child, output: () => output, exited };
}

describe("given bin/agents.js, the installed command", () => {
  let stack: TestStack;
  const running: Run[] = [];
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    for (const r of running) r.child.kill("SIGKILL");
    await Promise.all(running.map((r) => r.exited));
    await stack.stop();
  });

  it("when `agents job-id KEY` runs, then it prints the job id the orchestrator derives from the key", async () => {
    const run = runBin(["job-id", "bin-smoke-key"], {});
    assert.equal(await run.exited, 0, run.output());
    assert.equal(run.output().trim(), jobIdFor("bin-smoke-key"));
  });

  it("when a worker, an orchestrator and a gateway start from it, then each comes up", async () => {
    const port = await freePort();
    const actors = [
      { run: runBin(["worker"], stack.env), ready: /"msg":"worker started"/ },
      { run: runBin(["orchestrator"], stack.env), ready: /"msg":"orchestrator (running|standing by)"/ },
      {
        run: runBin(["gateway"], { ...stack.env, AGENTS_PORT: String(port) }),
        ready: /gateway listening on/,
      },
    ];
    running.push(...actors.map((a) => a.run));
    for (const { run, ready } of actors) {
      await eventually(() => ready.test(run.output()) || run.child.exitCode !== null, START_BUDGET_MS);
      assert.match(run.output(), ready, `it came up; its output:\n${run.output().slice(-3000)}`);
    }
    const res = await fetch(`http://127.0.0.1:${port}/ready`);
    assert.equal(res.status, 200);
  });
});
