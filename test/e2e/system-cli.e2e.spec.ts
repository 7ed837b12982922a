// What the CLI shows of the recorded system state (status, watch, submit's warning) and
// `agents retry`, against a real `agents up` (fake Claude agent) and the CLI run as a process.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { jobIdFor, taskIdFor } from "../../src/core/ids.ts";
import { startUp, type UpStack, until } from "./support.ts";

describe("the system state and retry in the CLI, against `agents up`", () => {
  let s: UpStack;
  let spec: string;
  before(async () => {
    s = await startUp({ AGENTS_MAX_ATTEMPTS: "1" });
    spec = join(s.dir, "spec.md");
    await writeFile(spec, "Write one line about breakwaters.\n");
  });
  after(() => s.stop());

  const status = async (id?: string) => {
    const r = await s.cli(id ? ["status", id] : ["status"]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  it("given a stop and a paused queue, then status and watch say so, submit warns, and the job runs after resume", async () => {
    const stop = await s.cli(["stop", "--reason", "cli e2e: harbour closed"]);
    assert.equal(stop.code, 0, stop.stderr);
    const table = await until(async () => {
      const out = await status();
      return /STOPPED since/.test(out) ? out : undefined;
    });
    assert.match(
      table,
      /^STOPPED since \S+ \(cli e2e: harbour closed\): nothing runs until `agents resume`$/m,
    );
    assert.match(table, /^queue\s+pending\s+queued/m, "the counts follow");
    const pause = await s.api("POST", "/v1/agents/queues/heavy/pause", { reason: "cli e2e: dredging" });
    assert.equal(pause.status, 202);
    await until(async () => ((await status()).includes("paused: heavy since") ? true : undefined));

    const sub = await s.cli(["submit", spec, "--count", "1", "--key", "cli-stopped", "--json"]);
    assert.equal(sub.code, 0, sub.stderr);
    assert.match(sub.stderr, /^agents: warning: an emergency stop is in force .*cli e2e: harbour closed/m);
    const job = jobIdFor("cli-stopped");
    assert.equal(JSON.parse(sub.stdout).job_id, job);
    // Accepted, and waiting: no wave is planned while stopped.
    const jobStatus = await until(async () => {
      const r = await s.cli(["status", job]);
      return r.code === 0 ? r.stdout : undefined;
    });
    assert.match(jobStatus, new RegExp(`^STOPPED since .*\\npaused: heavy since .*\\n${job} `, "m"));

    // watch shows the stop while the job waits, and follows it to the end after the resume.
    const watching = s.cliLive(["watch", job]);
    await until(async () => {
      const events = await s.events(`agents.job.${job}`);
      // Accepted on job.submitted itself (catalogue v2).
      return events.some((e) => e.event.type === "job.submitted") ? true : undefined;
    });
    // Resume only once watch has drawn: a loaded machine can start the CLI after the resume.
    await until(async () => (/^STOPPED since/m.test(watching.stdout()) ? true : undefined));
    assert.equal((await s.cli(["resume", "--reason", "cli e2e: open"])).code, 0);
    const watch = await watching.done;
    assert.equal(watch.code, 0, watch.stderr);
    assert.match(watch.stdout, /^STOPPED since \S+ \(cli e2e: harbour closed\)/m);
    assert.match(watch.stdout, new RegExp(`${job} .*completed`));
    const after = await until(async () => {
      const out = await status();
      return out.includes("STOPPED") ? undefined : out;
    });
    assert.match(after, /paused: heavy/, "the pause outlives the resume");
    assert.equal((await s.api("POST", "/v1/agents/queues/heavy/unpause")).status, 202);
    await until(async () => ((await status()).includes("paused:") ? undefined : true));
    const quiet = await s.cli(["submit", spec, "--count", "1", "--key", "cli-running"]);
    assert.doesNotMatch(quiet.stderr, /warning/);
  });

  it("given a dead-lettered task, when `agents retry TASK` runs, then it runs once more; a wrong id is an error", async () => {
    await writeFile(spec, "Write one line about storms.\nFIXTURE: fail-times 1 cli-retry\n");
    const sub = await s.cli(["submit", spec, "--count", "1", "--key", "cli-retry", "--json"]);
    assert.equal(sub.code, 0, sub.stderr);
    const job = jobIdFor("cli-retry");
    const task = taskIdFor(job, 1, "generator", 0);
    await until(async () => {
      const r = await s.cli(["status", task, "--json"]);
      return JSON.parse(r.stdout).task.status === "dead_lettered" ? true : undefined;
    });

    const usage = await s.cli(["retry"]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /usage: agents retry TASK/);
    const retry = await s.cli(["retry", task, "--reason", "cli e2e: again", "--json"]);
    assert.equal(retry.code, 0, retry.stderr);
    assert.deepEqual(JSON.parse(retry.stdout).command, { task_id: task, reason: "cli e2e: again" });
    await until(async () => {
      const r = await s.cli(["status", job, "--json"]);
      const j = JSON.parse(r.stdout).job;
      return j.status === "completed" && j.iterations.passed === 1 ? true : undefined;
    }, 40_000);
    const again = await s.cli(["retry", task]);
    assert.equal(again.code, 1, "a completed task is not retried");
    assert.match(again.stderr, /only a dead_lettered task can be retried/);
  });
});
