// Given the Python corpus (./python-corpus.ts), when the syntax check reads each source, then it
// accepts and refuses exactly what CPython's ast.parse does; and where a python3 is on the machine,
// the corpus verdicts themselves are checked against `python3 -c 'import ast,sys; ast.parse(…)'`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { checkPython } from "../../src/validation/python-syntax.ts";
import { PYTHON_CORPUS } from "./python-corpus.ts";

describe("the Python syntax check on the corpus", () => {
  for (const c of PYTHON_CORPUS) {
    it(`${c.name} → ${c.valid ? "parses" : "syntax error"}`, async () => {
      const error = await checkPython(c.source);
      assert.equal(
        error === undefined,
        c.valid,
        `got ${error ?? "no error"} for ${JSON.stringify(c.source)}`,
      );
      if (!c.valid && c.name !== "null byte") assert.match(error ?? "", /^Syntax error at line \d+: \S/);
    });
  }
});

/** The local python3's version, or undefined when there is none. */
function localPython(): [number, number] | undefined {
  const r = spawnSync("python3", ["-c", "import sys; print(sys.version_info[0], sys.version_info[1])"], {
    encoding: "utf8",
  });
  if (r.status !== 0) return undefined;
  const [major, minor] = r.stdout.trim().split(" ").map(Number);
  return major === undefined || minor === undefined ? undefined : [major, minor];
}

const python3 = localPython();

describe("the corpus verdicts are CPython's own", {
  skip: python3 ? false : "no python3 on this machine",
}, () => {
  const [major, minor] = python3 ?? [0, 0];
  for (const c of PYTHON_CORPUS) {
    const newer =
      c.since !== undefined && (c.since[0] > major || (c.since[0] === major && c.since[1] > minor));
    const skip = newer ? `needs Python ${c.since?.join(".")}, this python3 is ${major}.${minor}` : false;
    it(`python3 ${c.valid ? "accepts" : "refuses"}: ${c.name}`, { skip }, () => {
      const r = spawnSync("python3", ["-c", "import ast,sys; ast.parse(sys.stdin.read())"], {
        input: c.source,
        env: { ...process.env, PYTHONIOENCODING: "utf-8" },
        encoding: "utf8",
      });
      assert.equal(r.status === 0, c.valid, r.stderr.split("\n").slice(-3).join("\n"));
    });
  }
});
