// The CLI's commands for the gateway's read routes and queue control, each as a table and with
// --json, against `agents up` as a real process (a file of its own: each CLI run is a process start,
// which takes seconds on a loaded machine).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { jobIdFor, taskIdFor } from "../../src/core/ids.ts";
import { startUp, type UpStack, until } from "./support.ts";

const KEY = "cli-routes-key-0123456789";

describe("the agents CLI for every route", () => {
  let s: UpStack;
  const job = jobIdFor("routes-1");
  const agents = (...args: string[]) => s.cli(args, { AGENTS_API_KEY: KEY });
  before(async () => {
    s = await startUp({ AGENTS_EXECUTOR: "echo", AGENTS_LOCAL_MODE: "false", AGENTS_API_KEY: KEY });
    const res = await s.api(
      "POST",
      "/v1/agents/submit",
      { spec: "Write a two-line poem about message queues.", count: 2 },
      { "idempotency-key": "routes-1", authorization: `Bearer ${KEY}` },
    );
    assert.equal(res.status, 202, await res.clone().text());
    await until(async () => {
      const r = await s.api("GET", `/v1/agents/status/${job}`, undefined, { authorization: `Bearer ${KEY}` });
      return r.ok && ((await r.json()) as { job: { status: string } }).job.status === "completed"
        ? true
        : undefined;
    }, 60_000);
  });
  after(() => s.stop());

  it("jobs, tasks, task, costs, quality and job-id read every route, as tables and with --json", async () => {
    const task = taskIdFor(job, 1, "generator", 0);
    const runs = await Promise.all([
      agents("jobs"),
      agents("jobs", "--json"),
      agents("jobs", "--status", "completed", "--search", "message queues", "--json"),
      agents("jobs", "--status", "cancelled", "--json"),
      agents("tasks", job),
      agents("tasks", job, "--json"),
      agents("tasks", job, "--queue", "critic", "--json"),
      agents("task", task),
      agents("task", task, "--json"),
      agents("costs"),
      agents("costs", "--json"),
      agents("costs", "--bucket", "hour"),
      agents("quality"),
      agents("quality", "--json"),
      agents("quality", "--bucket", "day", "--json"),
      agents("job-id", "routes-1"),
      agents("job-id", "routes-1", "--json"),
    ]);
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const [jobs, jobsJson, found, none, tasks, tasksJson, critics, story, storyJson] = runs;
    const [costs, costsJson, costsHourly, quality, qualityJson, qualityDaily, id, idJson] = runs.slice(9);
    assert.match(jobs?.stdout ?? "", new RegExp(`^${job}\\s+completed\\s+2/2\\s+4\\b`, "m"));
    assert.ok(JSON.parse(jobsJson?.stdout ?? "").items.some((j: { job_id: string }) => j.job_id === job));
    assert.deepEqual(
      JSON.parse(found?.stdout ?? "").items.map((j: { job_id: string }) => j.job_id),
      [job],
    );
    assert.deepEqual(JSON.parse(none?.stdout ?? "").items, []);
    assert.match(tasks?.stdout ?? "", new RegExp(`^${task}\\s`, "m"));
    assert.equal(JSON.parse(tasksJson?.stdout ?? "").items.length, 4, "two generators and two critics");
    const criticQueues = JSON.parse(critics?.stdout ?? "").items.map((t: { queue: string }) => t.queue);
    assert.deepEqual(criticQueues, ["critic", "critic"]);
    assert.match(story?.stdout ?? "", /== output ==\n\[offline echo executor/);
    assert.match(
      story?.stdout ?? "",
      /== critiques ==\n.*compliance \d+ · uniqueness \d+ · quality \d+ · passed/,
    );
    assert.match(story?.stdout ?? "", /== timeline ==[\s\S]*task\.created[\s\S]*task\.completed/);
    assert.equal(JSON.parse(storyJson?.stdout ?? "").task.task_id, task);
    assert.match(costs?.stdout ?? "", /^echo\s+\d+\s+\d+/m);
    assert.match(costs?.stdout ?? "", /^total \$0\.0000$/m);
    assert.equal(JSON.parse(costsJson?.stdout ?? "").models[0].model, "echo");
    assert.match(costsHourly?.stdout ?? "", /^hour\s+model\s+runs/m);
    assert.match(
      quality?.stdout ?? "",
      /^average of \d+: compliance 9\.0 · uniqueness 8\.0 · quality 9\.0$/m,
    );
    assert.ok(
      JSON.parse(qualityJson?.stdout ?? "").entries.some((e: { job_id: string }) => e.job_id === job),
    );
    const daily = JSON.parse(qualityDaily?.stdout ?? "").series;
    assert.deepEqual(
      daily.map((x: { key: string }) => x.key),
      ["echo"],
    );
    assert.equal(id?.stdout.trim(), job);
    assert.deepEqual(JSON.parse(idJson?.stdout ?? ""), { idempotency_key: "routes-1", job_id: job });
  });

  it("pause QUEUE records the pause (the system route shows it) and unpause lifts it, with --json", async () => {
    const paused = async () =>
      (
        (await (
          await s.api("GET", "/v1/agents/system", undefined, { authorization: `Bearer ${KEY}` })
        ).json()) as {
          paused: Array<{ queue: string; reason: string }>;
        }
      ).paused;
    const pause = await agents("pause", "heavy", "--reason", "cli test", "--json");
    assert.equal(pause.code, 0, pause.stderr);
    assert.equal(JSON.parse(pause.stdout).subject, "agents.control.pause");
    const shown = await until(async () => {
      const p = await paused();
      return p.some((q) => q.queue === "heavy") ? p : undefined;
    });
    assert.deepEqual(
      shown.map((q) => [q.queue, q.reason]),
      [["heavy", "cli test"]],
    );
    const unpause = await agents("unpause", "heavy");
    assert.equal(unpause.code, 0, unpause.stderr);
    assert.match(unpause.stdout, /^unpause heavy: published on agents\.control\.unpause/);
    await until(async () => ((await paused()).length === 0 ? true : undefined));
    const bad = await agents("pause", "fast");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /standard, heavy, critic|standard\|heavy\|critic/);
  });
});
