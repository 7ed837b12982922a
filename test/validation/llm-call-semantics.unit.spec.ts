// Every validator against llm_call's own semantics: given the response and params a llm_call user
// would send, when the validation runs (through runValidations, so in the validation thread as a
// worker runs it), then the verdict is llm_call's. Each case (./llm-call-cases.ts) names the
// llm_call source it mirrors; where we are deliberately stricter, it says what llm_call answers.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { runValidations, stopValidationThread, VALIDATOR_NAMES } from "../../src/validation/index.ts";
import { LLM_CALL_CASES as cases } from "./llm-call-cases.ts";

describe("validators against llm_call's semantics", () => {
  after(() => stopValidationThread());

  it("covers all 16 validator names", () => {
    const covered = new Set(cases.map((c) => c.spec.type));
    assert.deepEqual(
      VALIDATOR_NAMES.filter((n) => !covered.has(n)),
      [],
    );
  });

  for (const c of cases) {
    const differs = c.llmCall
      ? ` (llm_call: ${c.llmCall.valid ? "valid" : "invalid"}, ${c.llmCall.why})`
      : "";
    it(`${c.spec.type}: ${c.name} → ${c.valid ? "valid" : "invalid"}${differs} [${c.mirrors}]`, async () => {
      const prompts: string[] = [];
      const judge = async ({ prompt }: { prompt: string }) => {
        prompts.push(prompt);
        return c.judge ?? "";
      };
      const outcome = await runValidations(c.response, [c.spec], { judge });
      const failure = outcome.failures[0];
      assert.equal(outcome.valid, c.valid, `unexpected: ${JSON.stringify(outcome)}`);
      if (!c.valid) assert.match(failure?.error ?? "", c.error ?? /./);
      if (c.spec.type === "ai_contradiction_check" && prompts.length > 0) {
        const params = c.spec.params as { text_to_check: string; topic_context: string };
        assert.ok(prompts[0]?.includes(params.text_to_check), "the judge reads text_to_check");
        assert.ok(prompts[0]?.includes(`related to '${params.topic_context}'`), "and the topic");
        assert.ok(!prompts[0]?.includes(c.response), "not the response");
      }
      if (c.spec.type === "agent_task")
        assert.ok(prompts[0]?.includes(c.response), "the judge reads the response");
    });
  }
});
