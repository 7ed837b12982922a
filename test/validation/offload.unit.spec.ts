// Given a validator that would run for ever (a backtracking pattern: a lookahead around nested
// repeats), when runValidations runs it with a deadline, then the main thread keeps running, the
// validator fails at its deadline with that reason, the other validators of the run still answer,
// and the next run gets a fresh validation thread.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runValidations, stopValidationThread, type ValidationSpec } from "../../src/validation/index.ts";

// A lookahead keeps this off RE2; on a backtracking engine it takes exponential time.
const SPINNING: ValidationSpec = { type: "regex", params: { pattern: "(?=([A-Za-z0-9]+ ?)+#)" } };
const TEXT = "word ".repeat(40);

describe("validation off the main thread, under a deadline", () => {
  after(() => stopValidationThread());

  it("stops a spinning validator at its deadline while the main thread keeps running", async () => {
    let ticks = 0;
    const beat = setInterval(() => {
      ticks += 1;
    }, 20);
    try {
      const outcome = await runValidations(TEXT, [SPINNING, { type: "not_empty" }, { type: "json" }], {
        deadlineMs: 1_000,
      });
      assert.deepEqual(
        outcome.failures.map((f) => [f.type, f.error]),
        [
          ["regex", "Validation timed out: regex did not finish within 1 s, so it was stopped"],
          ["json", outcome.failures[1]?.error],
        ],
      );
      assert.match(outcome.failures[1]?.error ?? "", /^Invalid JSON/);
      assert.ok((outcome.failures[0]?.suggestions ?? []).length > 0);
    } finally {
      clearInterval(beat);
    }
    assert.ok(ticks > 0, "timers fired on the main thread while the validator spun");
  });

  it("serves the next run from a fresh thread", async () => {
    assert.deepEqual(
      await runValidations('{"a": 1}', [{ type: "field_present", params: { field_name: "a" } }]),
      {
        valid: true,
        failures: [],
      },
    );
  });

  it("runs concurrent runs one validator at a time, each with its own deadline", async () => {
    const [spun, quick] = await Promise.all([
      runValidations(TEXT, [SPINNING], { deadlineMs: 500 }),
      runValidations("hello", [{ type: "contains", params: { required_text: "hell" } }], { deadlineMs: 500 }),
    ]);
    assert.match(spun.failures[0]?.error ?? "", /^Validation timed out/);
    assert.deepEqual(quick, { valid: true, failures: [] });
  });

  it("lets the process exit once idle (a worker that shuts down is not held by it)", async () => {
    const index = fileURLToPath(new URL("../../src/validation/index.ts", import.meta.url));
    const script = `const v = await import(${JSON.stringify(index)}); await v.runValidations("x", [{ type: "not_empty" }]); console.log("validated");`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const kill = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const [code, signal] = await once(child, "exit");
    clearTimeout(kill);
    assert.deepEqual([code, signal, out.trim()], [0, null, "validated"]);
  });
});
