import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { jobIdFor, taskIdFor } from "../../src/core/ids.ts";
import { startUp, type UpStack, until } from "./support.ts";

const KEY = "cli-e2e-key-0123456789";

describe("the agents CLI against `agents up` in non-local mode", () => {
  let s: UpStack;
  let spec: string;
  const job = jobIdFor("cli-1");
  const agents = (...args: string[]) => s.cli(args, { AGENTS_API_KEY: KEY });
  before(async () => {
    s = await startUp({ AGENTS_EXECUTOR: "echo", AGENTS_LOCAL_MODE: "false", AGENTS_API_KEY: KEY });
    spec = join(s.dir, "spec.md");
    await writeFile(spec, "Write a two-line poem about message queues.\n");
  });
  after(() => s.stop());

  it("without the API key, the gateway answers 401 and the CLI exits 1 saying so", async () => {
    const r = await s.cli(["status"], { AGENTS_API_KEY: "" });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /API key/);
    const raw = await s.api("POST", "/v1/agents/submit", { spec: "x", count: 1 });
    assert.equal(raw.status, 401);
  });

  it("submit --json prints the job; watch follows it to the end; status and result read it", async () => {
    const sub = await agents("submit", spec, "--count", "2", "--key", "cli-1", "--json");
    assert.equal(sub.code, 0, sub.stderr);
    const accepted = JSON.parse(sub.stdout);
    assert.equal(accepted.job_id, job);
    assert.equal(accepted.task_ids.length, 2);

    const watch = await agents("watch", job);
    assert.equal(watch.code, 0, watch.stderr);
    assert.match(watch.stdout, new RegExp(`${job} \\[#+\\] 2/2 iterations .*completed`));

    // Independent reads run side by side (each CLI run is a process start).
    const task = taskIdFor(job, 1, "generator", 0);
    const [table, countsRun, statusRun, text, result, resultJson, taskResult] = await Promise.all([
      agents("status"),
      agents("status", "--json"),
      agents("status", job, "--json"),
      agents("status", job),
      agents("result", job),
      agents("result", job, "--json"),
      agents("result", task),
    ]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^queue\s+pending\s+queued\s+running/m);
    assert.match(table.stdout, /^standard\s+0\s+0\s+0\s+0\s+0\s+2\b/m);
    assert.equal(JSON.parse(countsRun.stdout).queues.critic.completed, 2);
    assert.equal(JSON.parse(statusRun.stdout).job.status, "completed");
    assert.match(text.stdout, /completed \(all_done\)/);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /=== iteration 1 \(passed, .*\) ===\n\[offline echo executor/);
    assert.equal(JSON.parse(resultJson.stdout).job.iterations.length, 2);
    assert.match(taskResult.stdout, /^\[offline echo executor/);
    // A page of one iteration at a time still prints (and --json still holds) every iteration.
    const [paged, pagedJson, badSize] = await Promise.all([
      agents("result", job, "--page-size", "1"),
      agents("result", job, "--page-size", "1", "--json"),
      agents("result", job, "--page-size", "0"),
    ]);
    assert.equal(paged.stdout, result.stdout);
    assert.deepEqual(JSON.parse(pagedJson.stdout), JSON.parse(resultJson.stdout));
    assert.equal(badSize.code, 2);
    assert.match(badSize.stderr, /--page-size/);
  });

  it("history reads a task's events from the stream in order", async () => {
    const task = taskIdFor(job, 2, "generator", 0);
    const r = await agents("history", task);
    assert.equal(r.code, 0, r.stderr);
    const order = ["task.created", "task.started", "task.completed"].map((t) => r.stdout.indexOf(t));
    assert.ok(
      order.every((i, n) => i > 0 && (n === 0 || i > (order[n - 1] ?? 0))),
      r.stdout,
    );
    const events = JSON.parse((await agents("history", task, "--json")).stdout);
    assert.deepEqual(
      events.map((e: { seq: number }) => e.seq),
      [...events.map((e: { seq: number }) => e.seq)].sort((a, b) => a - b),
    );
  });

  it("exit codes: 3 not found, 4 not ready, 2 usage; stop, resume, cancel and replay work", async () => {
    const codes = await Promise.all([
      agents("status", "nothing-here"),
      agents("history", "nothing-here-i1-g"),
      agents("submit", spec, "--count", "lots"),
      agents("submit", join(s.dir, "missing.md"), "--count", "1"),
      agents("frobnicate"),
      agents("status", "--colour"),
      agents("cancel", "nothing-here"),
    ]);
    assert.deepEqual(
      codes.map((r) => r.code),
      [3, 3, 2, 2, 2, 2, 3],
      codes.map((r) => r.stderr).join("\n"),
    );
    const notJson = JSON.parse((await agents("status", "nothing-here", "--json")).stdout);
    assert.equal(notJson.error.code, "NOT_FOUND");

    const stop = await agents("stop", "--reason", "cli test");
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /agents\.control\.stop/);
    const sub = JSON.parse((await agents("submit", spec, "--count", "1", "--key", "cli-2", "--json")).stdout);
    await until(async () => ((await agents("status", sub.job_id)).code === 0 ? true : undefined));
    const notReady = await agents("result", sub.job_id);
    assert.equal(notReady.code, 4, notReady.stderr);
    assert.match(notReady.stderr, /not|when it completes/);
    assert.equal((await agents("resume")).code, 0);
    const watch = await agents("watch", sub.job_id, "--json");
    assert.equal(watch.code, 0, watch.stderr);
    const lines = watch.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    // The job's stream ends with it: its last frame says how, after the job's final event.
    assert.deepEqual(
      { type: lines.at(-1).type, job_id: lines.at(-1).job_id, status: lines.at(-1).status },
      { type: "end", job_id: sub.job_id, status: "completed" },
    );
    assert.ok(lines.some((l: { type: string }) => l.type === "job.completed"));
    assert.ok(lines.every((l: { seq: number }) => typeof l.seq === "number"));

    // Cancelling a job that completed cannot work: exit 1, saying so.
    const late = await agents("cancel", sub.job_id, "--reason", "done anyway");
    assert.equal(late.code, 1, late.stderr);
    assert.match(late.stderr, /has already ended \(completed\); nothing to cancel/);
    const replay = await agents("replay");
    assert.equal(replay.code, 0);
    assert.match(
      replay.stdout,
      /rebuilt at every start .* from the newest projections snapshot plus the events after it/,
    );
  });
});
