import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { taskIdFor } from "../../../src/core/ids.ts";
import { COMPARED_ITERATIONS } from "../../../src/core/orchestrator/kept-outputs.ts";
import { Simulator } from "./simulator.ts";

const SPEC = "Write one line about queues.";
const PASS = { compliance: 9, quality: 9 };
const ITERATIONS = 40;

const generator = (jobId: string, n: number) => taskIdFor(jobId, n, "generator", 0);
const critic = (jobId: string, n: number) => taskIdFor(jobId, n, "critic", 1);

/** Tasks of the orchestrator's state holding text of an output, of an attachment or of a prompt. */
function heldTexts(sim: Simulator) {
  const tasks = [...sim.state.tasks.values()];
  return {
    outputs: tasks.filter((t) => t.output_inline !== undefined).length,
    attachments: tasks.filter((t) => t.created.attachments.some((a) => a.inline !== undefined)).length,
    prompts: tasks.filter((t) => "inline" in t.created.prompt && t.created.prompt.inline !== "").length,
  };
}

/**
 * Runs an infinite job wave by wave (waves of 4); within a wave the iterations end in `order`.
 * Returns the most inline outputs the state held at once, and the iterations in the order they ended.
 */
function runInfinite(sim: Simulator, jobId: string, order: (wave: number[]) => number[]) {
  let most = 0;
  const ended: number[] = [];
  for (let first = 1; first <= ITERATIONS; first += 4) {
    const wave = [first, first + 1, first + 2, first + 3].filter((n) => n <= ITERATIONS);
    for (const n of order(wave)) {
      sim.complete(generator(jobId, n));
      sim.critique(critic(jobId, n), PASS);
      ended.push(n);
      const held = heldTexts(sim);
      assert.equal(held.attachments, 0, "no created task's attachment text is held");
      assert.equal(held.prompts, 0, "no created task's prompt text is held");
      most = Math.max(most, held.outputs);
    }
  }
  return { most, ended };
}

/** The earlier outputs each critic was given to compare with, by iteration: [label, text]. */
function comparisonsByIteration(sim: Simulator) {
  return new Map(
    sim
      .events("task.created")
      .filter((e) => e.data.task_type === "critic")
      .map((e) => [
        e.data.iteration,
        e.data.attachments.filter((a) => a.label.startsWith("EARLIER")).map((a) => a.inline),
      ]),
  );
}

describe("the orchestrator's memory of inline outputs", () => {
  for (const [name, order] of [
    ["in order", (w: number[]) => w],
    ["in reverse order within each wave", (w: number[]) => [...w].reverse()],
  ] as const) {
    it(`given an infinite job of ${ITERATIONS} iterations ending ${name}, then every critic still compares with the ${COMPARED_ITERATIONS} iterations before it, inline, while the state holds the outputs of a few iterations only`, () => {
      const sim = new Simulator();
      const jobId = sim.submit({ spec: SPEC, count: "infinite", max_iterations: ITERATIONS });

      const { most, ended } = runInfinite(sim, jobId, order);

      const compared = comparisonsByIteration(sim);
      assert.equal(compared.size, ITERATIONS);
      for (let n = 1; n <= ITERATIONS; n++) {
        // A critic compares with the outputs there are when it is created: those of the three
        // iterations before it that ended before its own.
        const expected = [n - 3, n - 2, n - 1]
          .filter((m) => m >= 1 && ended.indexOf(m) < ended.indexOf(n))
          .map((m) => `output of ${generator(jobId, m)}`);
        assert.deepEqual(
          [...(compared.get(n) ?? [])].sort(),
          expected.sort(),
          `iteration ${n}'s critic compares with the earlier outputs before it, inline`,
        );
      }
      // Without forgetting, every generator and critic would hold its output (2 per iteration).
      assert.ok(most <= 4 + COMPARED_ITERATIONS + 1, `held at most ${most} inline outputs at once`);
      assert.equal(sim.events("job.completed")[0]?.data.reason, "max_iterations");
    });
  }

  it("given a critique that fails, then the reviser gets the reviewed output inline, and the superseded output is forgotten once the reviser is created", () => {
    const sim = new Simulator();
    const jobId = sim.submit({ spec: SPEC, count: 1 });
    const g = generator(jobId, 1);
    sim.complete(g);
    sim.critique(critic(jobId, 1), { compliance: 3, quality: 3 });

    const [reviser] = sim.events("task.created").filter((e) => e.data.task_type === "reviser");
    assert.deepEqual(
      reviser?.data.attachments.map((a) => [a.label, a.inline]),
      [["OUTPUT TO REVISE", `output of ${g}`]],
    );
    assert.equal(sim.task(g).output_inline, undefined, "the revised output is not held any more");
    assert.equal(heldTexts(sim).attachments, 0);
  });
});
