// LLM judges through a real worker process: given a submission with an agent_task validation, when
// the worker runs the judge agent, then the judge runs in an empty temporary folder outside the
// data folder (which holds the NATS store and every task's files), removed once it answered.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname } from "node:path";
import { describe, it } from "node:test";
import { ofType, useStack } from "../../support/index.ts";
import { jobDone, uniqueSpec } from "../critic/support.ts";

describe("a worker running an LLM judge", () => {
  const stack = useStack({ workers: 1 });

  it("runs it in an empty temporary folder, removed afterwards", async () => {
    const { spec, key } = uniqueSpec("Say hi.", "output hi");
    // The fixture agent obeys FIXTURE lines in its prompt: the judge's prompt carries this one.
    const verdict = '{"validation_passed": true, "explanation": "it says hi"}';
    const task_prompt = `Check that it greets (case ${key}).\nFIXTURE: output ${verdict}`;
    const jobId = await stack().submit({
      spec,
      count: 1,
      validation: [{ type: "agent_task", params: { task_prompt } }],
    });
    const events = await jobDone(stack(), jobId, 60_000);
    assert.equal(ofType(events, "job.completed")[0]?.event.data.iterations_passed, 1);

    const judges = (await stack().agentRuns()).filter(
      (r) => r.prompt.startsWith("You are a validation agent.") && r.prompt.includes(key),
    );
    assert.equal(judges.length, 1);
    const cwd = judges[0]?.cwd ?? "";
    assert.equal(dirname(cwd), tmpdir(), `judge cwd ${cwd}`);
    assert.match(cwd, /agents-judge-/);
    assert.ok(!cwd.startsWith(stack().env.AGENTS_DATA_DIR ?? "?"), "not inside the data folder");
    assert.equal(existsSync(cwd), false, "removed after the judge answered");
  });
});
