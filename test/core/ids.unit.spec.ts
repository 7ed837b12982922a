import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Id, type TaskType } from "../../src/core/events/index.ts";
import { jobIdFor, specKey, stableId, taskIdFor, taskTypeFromId } from "../../src/core/ids.ts";

const TASK_TYPES: TaskType[] = ["generator", "critic", "reviser", "continuation"];

describe("task ids", () => {
  const jobIds = ["jAbc123", jobIdFor("some key"), "job-with-i2-g-looking-parts"];
  for (const jobId of jobIds) {
    for (const type of TASK_TYPES) {
      it(`given job ${jobId} and a ${type}, then taskTypeFromId reads back the type`, () => {
        const id = taskIdFor(jobId, 7, type, 2);
        assert.equal(taskTypeFromId(id), type);
        assert.ok(Id.safeParse(id).success, `${id} is a valid subject token`);
        assert.ok(id.startsWith(`${jobId}-i7-`), `${id} starts with its job and iteration`);
      });
    }
  }

  it("given the same inputs, then the task id is the same; a different ordinal or iteration differs", () => {
    assert.equal(taskIdFor("j1", 3, "critic", 2), taskIdFor("j1", 3, "critic", 2));
    assert.notEqual(taskIdFor("j1", 3, "critic", 2), taskIdFor("j1", 3, "critic", 3));
    assert.notEqual(taskIdFor("j1", 3, "critic", 2), taskIdFor("j1", 4, "critic", 2));
  });

  it("given a generator, then its id ignores the ordinal (one generator per iteration)", () => {
    assert.equal(taskIdFor("j1", 3, "generator", 0), "j1-i3-g");
    assert.equal(taskIdFor("j1", 3, "generator", 5), "j1-i3-g");
  });

  it("given ids that are not derived task ids, then no type is read", () => {
    for (const id of ["j1", "j1-i3", "j1-i3-x1", "j1-g", "random-uuid-like"]) {
      assert.equal(taskTypeFromId(id), undefined, id);
    }
  });
});

describe("jobIdFor", () => {
  it("given the same key twice, then the job id is the same", () => {
    assert.equal(jobIdFor("order-42"), jobIdFor("order-42"));
  });

  it("given different keys, then the job ids differ", () => {
    const ids = new Set(Array.from({ length: 200 }, (_, i) => jobIdFor(`key-${i}`)));
    assert.equal(ids.size, 200);
  });

  it("given any key, then the job id is a 16-character subject token starting with j", () => {
    for (const key of ["a", "with spaces and / slashes", "ünïcödé", "x".repeat(200)]) {
      const id = jobIdFor(key);
      assert.match(id, /^j[A-Za-z0-9]{15}$/);
      assert.ok(Id.safeParse(id).success, `${id} is a valid subject token`);
    }
  });
});

describe("specKey and stableId", () => {
  it("given the same spec with different surrounding whitespace, then the spec key is the same", () => {
    assert.equal(specKey("  Write a poem.\n"), specKey("Write a poem."));
    assert.notEqual(specKey("Write a poem."), specKey("Write a song."));
    assert.equal(specKey("x").length, 16);
  });

  it("given parts, then the id is stable, 22 characters, and the parts' boundaries matter", () => {
    assert.equal(stableId("a", "b"), stableId("a", "b"));
    assert.notEqual(stableId("ab", ""), stableId("a", "b"));
    assert.equal(stableId("a").length, 22);
  });
});
