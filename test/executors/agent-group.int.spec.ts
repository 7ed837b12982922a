import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { ExecutorError } from "../../src/core/errors.ts";
import { createCommandExecutor } from "../../src/executors/command.ts";
import { alive, eventually, groupMembers, groupOf } from "../support/index.ts";
import { scratch } from "./support.ts";

type Scratch = Awaited<ReturnType<typeof scratch>>;

// An agent (a node script run by the command executor) that starts a child of its own, writes the
// child's pid to child.pid in its working folder, then does `then`. `child` is the child's program.
function forkingAgent(then: "hang" | "exit", child: "sleep" | "stubborn" = "sleep") {
  const spawnChild =
    child === "sleep"
      ? `spawn("sleep", ["600"], { stdio: "ignore" })`
      : `spawn(process.execPath, ["-e", "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: "ignore" })`;
  const script = [
    `const { spawn } = require("node:child_process");`,
    `const c = ${spawnChild};`,
    `require("node:fs").writeFileSync("child.pid", String(c.pid));`,
    then === "hang" ? "setInterval(() => {}, 1000);" : "process.exit(0);",
  ].join("\n");
  return createCommandExecutor({ command: process.execPath, args: ["-e", script] });
}

describe("an agent's own child processes", { skip: process.platform !== "linux" && "reads /proc" }, () => {
  let tmp: Scratch;
  const children: number[] = [];
  before(async () => {
    tmp = await scratch();
  });
  afterEach(() => {
    // Leave nothing behind, also when a test fails.
    for (const pid of children.splice(0)) if (alive(pid)) process.kill(pid, "SIGKILL");
  });
  after(() => tmp.cleanup());

  /** The child's pid, once the agent has written it. */
  async function childPid(): Promise<number> {
    const file = join(tmp.dir, "child.pid");
    await eventually(() => existsSync(file) && readFileSync(file, "utf8").length > 0, 30_000);
    const pid = Number(readFileSync(file, "utf8"));
    children.push(pid);
    return pid;
  }

  const fresh = () => rm(join(tmp.dir, "child.pid"), { force: true });

  it("given a running agent with a child, then the agent leads its own process group and the child is in it", async () => {
    await fresh();
    const stop = new AbortController();
    const run = forkingAgent("hang").run({
      prompt: "x",
      cwd: tmp.dir,
      timeoutMs: 60_000,
      signal: stop.signal,
    });
    const child = await childPid();
    const pgid = groupOf(child);
    assert.ok(
      pgid !== undefined && pgid !== process.pid && pgid !== groupOf(process.pid),
      `own group (${pgid})`,
    );
    assert.ok(groupMembers(pgid).length >= 2, "the agent and its child share the group");
    stop.abort();
    await assert.rejects(run, ExecutorError);
  });

  it("given an agent that is stopped, then its child is killed with it", async () => {
    await fresh();
    const stop = new AbortController();
    const run = forkingAgent("hang").run({
      prompt: "x",
      cwd: tmp.dir,
      timeoutMs: 60_000,
      signal: stop.signal,
    });
    const child = await childPid();
    const pgid = groupOf(child) ?? -1;
    stop.abort();
    await assert.rejects(run, (err: unknown) => err instanceof ExecutorError && err.reason === "aborted");
    await eventually(() => !alive(child) && groupMembers(pgid).length === 0, 20_000);
  });

  it("given an agent that times out and a child that ignores SIGTERM, then the whole group is gone", async () => {
    await fresh();
    const run = forkingAgent("hang", "stubborn").run({
      prompt: "x",
      cwd: tmp.dir,
      timeoutMs: 8_000,
      killGraceMs: 500,
    });
    const child = await childPid();
    const pgid = groupOf(child) ?? -1;
    await assert.rejects(run, (err: unknown) => err instanceof ExecutorError && err.reason === "timeout");
    await eventually(() => !alive(child) && groupMembers(pgid).length === 0, 20_000);
  });

  it("given an agent that exits and leaves a child running, then the child is killed", async () => {
    await fresh();
    await forkingAgent("exit").run({ prompt: "x", cwd: tmp.dir, timeoutMs: 60_000 });
    const child = await childPid();
    await eventually(() => !alive(child), 20_000);
  });
});
