// Files an agent writes are kept: a real worker runs the fake Claude CLI (its messages typed against
// the claude-agent-sdk), which writes files with the Write tool in its task folder (allowed by the
// default acceptEdits mode), plants a symbolic link (a hostile agent), and is refused a Bash call.
// The files go to the object store, are listed on task.completed, shown by `agents result` and
// downloadable over REST as untrusted attachments; the link is never followed.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Subjects } from "../../src/core/events/index.ts";
import { attachGateway } from "../gateway/harness.ts";
import { agentsArgv } from "../support/cli-bundle.ts";
import { ofType, startStack, type TestStack } from "../support/index.ts";

/** A run of the fake CLI starts a tsx process: on a loaded machine a job of several runs takes a while. */
const BUDGET_MS = 90_000;

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Run the `agents` CLI as a subprocess against a gateway URL. */
function cli(url: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...agentsArgv(), ...args], {
      cwd: ROOT,
      env: { ...process.env, AGENTS_URL: url, LOG_LEVEL: "silent" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("given an agent that writes files in its task folder", () => {
  let stack: TestStack;
  let gateway: Awaited<ReturnType<typeof attachGateway>>;
  let url: string;
  let dir: string;
  before(async () => {
    stack = await startStack();
    stack.startOrchestrator();
    stack.startWorker({ AGENTS_ARTIFACT_MAX_FILES: "3" });
    gateway = await attachGateway(stack.nc);
    await gateway.app.listen({ port: 0, host: "127.0.0.1" });
    url = `http://127.0.0.1:${(gateway.app.server.address() as AddressInfo).port}`;
    dir = await mkdtemp(join(tmpdir(), "artifacts-out-"));
  });
  after(async () => {
    await gateway?.stop();
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  });

  let taskId = "";

  it("when it completes, then task.completed lists its files, skips the link, and records the refused tool", async () => {
    const jobId = await stack.submit({
      spec: [
        "Write a short report.",
        "FIXTURE: write-file report/summary.md # Summary\\nAll good.",
        "FIXTURE: write-file data.csv a,b\\n1,2",
        "FIXTURE: write-link passwd /etc/passwd",
        "FIXTURE: deny Bash",
      ].join("\n"),
      count: 1,
    });
    taskId = `${jobId}-i1-g`;
    const events = await stack.waitFor(
      Subjects.task(taskId),
      (es) => ofType(es, "task.completed").length > 0,
      BUDGET_MS,
    );
    const done = ofType(events, "task.completed")[0]?.event.data;
    assert.deepEqual(
      done?.artifacts?.map((a) => [a.name, a.bytes]),
      [
        ["data.csv", 7],
        ["report/summary.md", 19],
      ],
    );
    assert.equal(done?.artifacts_skipped, 1, "the symbolic link was not followed");
    assert.deepEqual(
      done?.permission_denials?.map((d) => d.tool_name),
      ["Bash"],
    );
    // The link was left behind (it could not be kept); the kept files' folder stays with it.
    const folder = join(stack.dir, "data", "work", taskId, "1");
    assert.ok(existsSync(join(folder, "passwd")));
  });

  it("when listed and downloaded over REST, then the bytes come back as an untrusted attachment", async () => {
    const list = await gateway.app.inject({ method: "GET", url: `/v1/agents/tasks/${taskId}/artifacts` });
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json(), {
      task_id: taskId,
      skipped: 1,
      artifacts: [
        { name: "data.csv", bytes: 7, url: `/v1/agents/tasks/${taskId}/artifacts/data.csv` },
        {
          name: "report/summary.md",
          bytes: 19,
          url: `/v1/agents/tasks/${taskId}/artifacts/report/summary.md`,
        },
      ],
    });
    const file = await gateway.app.inject({
      method: "GET",
      url: `/v1/agents/tasks/${taskId}/artifacts/report/summary.md`,
    });
    assert.equal(file.statusCode, 200);
    assert.equal(file.body, "# Summary\nAll good.");
    assert.equal(file.headers["content-type"], "application/octet-stream");
    assert.equal(
      file.headers["content-disposition"],
      `attachment; filename="summary.md"; filename*=UTF-8''summary.md`,
    );
    assert.equal(file.headers["x-content-type-options"], "nosniff");
    assert.match(String(file.headers["content-security-policy"]), /sandbox/);
    const missing = await gateway.app.inject({
      method: "GET",
      url: `/v1/agents/tasks/${taskId}/artifacts/passwd`,
    });
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json().error.message, /has no artifact "passwd"/);
    // The dashboard's task view reads the same list from the task's story.
    const story = (
      await gateway.app.inject({ method: "GET", url: `/v1/agents/tasks/${taskId}/story` })
    ).json();
    assert.deepEqual(
      story.files.map((f: { name: string; url: string }) => [f.name, f.url]),
      [
        ["data.csv", `/v1/agents/tasks/${taskId}/artifacts/data.csv`],
        ["report/summary.md", `/v1/agents/tasks/${taskId}/artifacts/report/summary.md`],
      ],
    );
    assert.equal(story.files_skipped, 1);
    assert.deepEqual(story.permission_denials, [{ tool_name: "Bash" }]);
    const result = await gateway.app.inject({ method: "GET", url: `/v1/agents/result/${taskId}` });
    assert.equal(result.json().task.artifacts.length, 2);
    assert.equal(result.json().task.permission_denials[0].tool_name, "Bash");
  });

  it("when `agents result` and `agents artifact` run, then the files are listed and one downloads to a file", async () => {
    const r = await cli(url, ["result", taskId]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Fixture answer for: ROLE: generator/);
    assert.match(
      r.stderr,
      /artifacts \(2; agents artifact .* NAME -o FILE\):\n {2}data\.csv {2}7 bytes\n {2}report\/summary\.md {2}19 bytes/,
    );
    assert.match(r.stderr, /tools refused: Bash/);
    const out = join(dir, "summary.md");
    const a = await cli(url, ["artifact", taskId, "report/summary.md", "-o", out]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(await readFile(out, "utf8"), "# Summary\nAll good.");
    const none = await cli(url, ["artifact", taskId, "nope.txt"]);
    assert.equal(none.code, 3, "not found");
  });

  it("given more files than the bound, then the bound's worth are kept and the rest counted as skipped", async () => {
    const jobId = await stack.submit({
      spec: [1, 2, 3, 4, 5].map((n) => `FIXTURE: write-file f${n}.txt ${n}`).join("\n"),
      count: 1,
    });
    const events = await stack.waitFor(
      Subjects.task(`${jobId}-i1-g`),
      (es) => ofType(es, "task.completed").length > 0,
      BUDGET_MS,
    );
    const done = ofType(events, "task.completed")[0]?.event.data;
    assert.equal(done?.artifacts?.length, 3);
    assert.equal(done?.artifacts_skipped, 2);
  });
});
