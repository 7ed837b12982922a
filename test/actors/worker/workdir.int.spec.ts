import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openWorkdir } from "../../../src/actors/worker/workdir.ts";

describe("a task's working folder", () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "agents-workdir-"));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it("given an executor that runs in a folder, then it is <data>/work/<task>/<attempt> and exists", async () => {
    const w = await openWorkdir(dataDir, "t1", 2, true);
    assert.equal(w.path, join(dataDir, "work", "t1", "2"));
    assert.ok(existsSync(w.path));
    await w.release();
  });

  it("given an executor that needs no folder, then none is made", async () => {
    const w = await openWorkdir(dataDir, "t2", 1, false);
    assert.equal(existsSync(w.path), false);
    await w.release();
    assert.equal(existsSync(join(dataDir, "work", "t2")), false);
  });

  it("given the agent left nothing, when released, then the attempt and task folders are gone", async () => {
    const w = await openWorkdir(dataDir, "t3", 1, true);
    await w.release();
    assert.equal(existsSync(w.path), false);
    assert.equal(existsSync(join(dataDir, "work", "t3")), false);
  });

  it("given the agent wrote a file, when released, then the folder and the file are kept", async () => {
    const w = await openWorkdir(dataDir, "t4", 1, true);
    await writeFile(join(w.path, "notes.md"), "kept");
    await w.release();
    assert.ok(existsSync(join(w.path, "notes.md")));
  });

  it("given another attempt's folder is kept, when this one is released, then the task folder stays", async () => {
    const kept = await openWorkdir(dataDir, "t5", 1, true);
    await writeFile(join(kept.path, "out.txt"), "x");
    const w = await openWorkdir(dataDir, "t5", 2, true);
    await w.release();
    assert.equal(existsSync(w.path), false);
    assert.ok(existsSync(join(kept.path, "out.txt")));
  });
});
