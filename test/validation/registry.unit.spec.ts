// Given a task's validation list, when runValidations runs it, then every failure is collected in
// order and feedbackForPrompt turns them into the text appended to the retried prompt.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import {
  feedbackForPrompt,
  runValidations,
  stopValidationThread,
  VALIDATOR_NAMES,
  VALIDATORS,
  ValidationSpec,
} from "../../src/validation/index.ts";

describe("ValidationSpec", () => {
  it("accepts every llm_call name and alias, with or without params", () => {
    assert.equal(VALIDATOR_NAMES.length, 16);
    for (const type of VALIDATOR_NAMES) {
      assert.ok(ValidationSpec.safeParse({ type }).success, type);
      assert.equal(typeof VALIDATORS[type], "function", type);
    }
    assert.ok(ValidationSpec.safeParse({ type: "length", params: { min_length: 1 } }).success);
  });

  it("rejects an unknown type and non-object params", () => {
    assert.equal(ValidationSpec.safeParse({ type: "spelling" }).success, false);
    assert.equal(ValidationSpec.safeParse({ type: "json", params: [1] }).success, false);
  });
});

describe("runValidations", () => {
  after(() => stopValidationThread());

  it("is valid when every spec passes", async () => {
    const specs: ValidationSpec[] = [
      { type: "json" },
      { type: "field_present", params: { field_name: "a" } },
    ];
    assert.deepEqual(await runValidations('{"a": 1}', specs), { valid: true, failures: [] });
  });

  it("is valid for an empty list", async () => {
    assert.deepEqual(await runValidations("", []), { valid: true, failures: [] });
  });

  it("runs every spec and reports each failure in spec order with the type as written", async () => {
    const specs: ValidationSpec[] = [
      { type: "not_empty" },
      { type: "length", params: { max_length: 3 } },
      { type: "json" },
      { type: "contains", params: { required_text: "hello" } },
      { type: "agent_task", params: { task_prompt: "Greet" } },
    ];
    const judge = async () => '{"validation_passed": false, "explanation": "too casual"}';
    const outcome = await runValidations("hello world", specs, { judge });
    assert.equal(outcome.valid, false);
    assert.deepEqual(
      outcome.failures.map((f) => [f.type, f.error]),
      [
        ["length", "Response too long: 11 characters (maximum: 3)"],
        ["json", "Invalid JSON: Unexpected token 'h', \"hello world\" is not valid JSON"],
        ["agent_task", "Agent validation failed: too casual"],
      ],
    );
    assert.ok(outcome.failures.every((f) => Array.isArray(f.suggestions)));
  });

  it("turns a judge-less LLM validation into a failure", async () => {
    const outcome = await runValidations("x", [{ type: "agent_task", params: { task_prompt: "Check" } }], {});
    assert.deepEqual(outcome.failures[0]?.error, "needs an LLM judge (no executor configured)");
  });
});

describe("feedbackForPrompt", () => {
  it("lists each failure with its error and suggestions between llm_call's opening and closing lines", () => {
    const text = feedbackForPrompt([
      {
        type: "json",
        error: "Invalid JSON: Unexpected end",
        suggestions: ["Check for trailing commas", "Respond with JSON only"],
      },
      { type: "length", error: "Response too long: 900 characters (maximum: 600)", suggestions: [] },
    ]);
    assert.equal(
      text,
      [
        "Your previous response failed validation:",
        "- json: Invalid JSON: Unexpected end",
        "  Suggestions: Check for trailing commas; Respond with JSON only",
        "- length: Response too long: 900 characters (maximum: 600)",
        "Please correct these issues.",
      ].join("\n"),
    );
  });

  it("is empty when nothing failed", () => {
    assert.equal(feedbackForPrompt([]), "");
  });

  it("round-trips the failures of a run", async () => {
    const { failures } = await runValidations("", [{ type: "response_not_empty" }]);
    assert.match(
      feedbackForPrompt(failures),
      /^Your previous response failed validation:\n- response_not_empty: Response content is empty\n {2}Suggestions: .+\nPlease correct these issues\.$/,
    );
  });
});
