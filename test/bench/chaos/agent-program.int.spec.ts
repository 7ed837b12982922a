// The fault suite's agent, run as the command executor runs it (a shell reading the prompt on
// stdin), against the system's own prompts: if the critic's or a judge's protocol changes, these
// fail before the suite starts reporting every job as stuck for the wrong reason.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseRuns, writeAgentProgram } from "../../../bench/chaos/agent-program.ts";
import { critiquePasses, parseCritique } from "../../../src/core/protocol/critique.ts";
import { criticPrompt, generatorPrompt } from "../../../src/core/protocol/prompts.ts";
import { jaccard, NEAR_DUPLICATE_THRESHOLD } from "../../../src/core/protocol/similarity.ts";
import { agentTaskPrompt, contradictionPrompt } from "../../../src/validation/judges.ts";

describe("the chaos agent", () => {
  let dir: string;
  let program: string;
  let state: string;
  let workdir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "chaos-agent-"));
    program = await writeAgentProgram(dir);
    state = join(dir, "state");
    // Where a worker runs a task: <data>/work/<task>/<attempt>.
    workdir = join(dir, "data", "work", "jChaosAgent-i1-g", "1");
    await mkdir(state);
    await mkdir(workdir, { recursive: true });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const run = (prompt: string) => {
    const r = spawnSync("/bin/sh", [program], {
      input: prompt,
      cwd: workdir,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", CHAOS_STATE_DIR: state },
      encoding: "utf8",
    });
    return { code: r.status, out: r.stdout };
  };
  const generator = (spec: string) =>
    generatorPrompt({ spec, iteration: 1, count: 1, earlier: [], advice: [] });

  it("given the critic's prompt, when it answers, then the critique parses and passes", () => {
    const r = run(criticPrompt("Write a line.\nCHAOS: sleep 10 20", 1));
    const parsed = parseCritique(r.out);
    assert.equal(r.code, 0);
    assert.ok(parsed.ok, `unparseable: ${r.out}`);
    assert.ok(critiquePasses(parsed.value));
  });

  it("given each LLM judge's prompt, when it answers, then its JSON verdict passes", () => {
    const task = JSON.parse(run(agentTaskPrompt("some answer", "Answer in one line.", [])).out);
    assert.equal(task.validation_passed, true);
    const contradiction = JSON.parse(run(contradictionPrompt("some text", "a topic")).out);
    assert.equal(contradiction.contradictions_found, false);
  });

  it("given fail-once, then the task's first run exits 3 and its second answers", () => {
    const prompt = generator("Fail once.\nCHAOS: fail-once");
    assert.equal(run(prompt).code, 3);
    const second = run(prompt);
    assert.equal(second.code, 0);
    assert.match(second.out, /chaos answer for jChaosAgent-i1-g/);
  });

  it("given two generator runs, then their answers are not near-duplicates of each other", () => {
    const [a, b] = [run(generator("Same spec.")).out, run(generator("Same spec.")).out];
    assert.ok(jaccard(a, b) < NEAR_DUPLICATE_THRESHOLD, `too similar:\n${a}\n${b}`);
  });

  it("given bait N, then it answers N letters and no '#'", () => {
    const out = run(generator("Bait.\nCHAOS: bait 60")).out.trim();
    assert.equal(out, "a".repeat(60));
  });

  it("given print-env, then it answers its environment", () => {
    assert.match(run(generator("Env.\nCHAOS: print-env")).out, /^CHAOS_STATE_DIR=/m);
  });

  it("then every run is in runs.log with its role, parent and task", async () => {
    const runs = parseRuns(await readFile(join(state, "runs.log"), "utf8"));
    assert.ok(runs.some((r) => r.role === "critic"));
    assert.ok(runs.some((r) => r.role === "judge"));
    const gen = runs.find((r) => r.role === "generator");
    assert.equal(gen?.task, "jChaosAgent-i1-g");
    assert.equal(gen?.ppid, process.pid);
    assert.equal(gen?.cwd, workdir);
  });
});
