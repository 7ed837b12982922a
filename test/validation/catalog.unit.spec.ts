// The submit-time check of validators' params: what a task's validator would refuse is refused
// before the submission is stored, naming the field inside params.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validatorIssues } from "../../src/core/submission/index.ts";
import {
  PARAM_CHECKS,
  runValidation,
  VALIDATOR_CATALOG,
  VALIDATOR_NAMES,
} from "../../src/validation/index.ts";

const issues = (validation: Array<{ type: string; params?: Record<string, unknown> }>) =>
  validatorIssues(validation, VALIDATOR_CATALOG);

describe("validator params at submit time", () => {
  it("given a regex that does not compile, then validation.N.params.pattern is named", () => {
    const [issue, ...rest] = issues([{ type: "json" }, { type: "regex", params: { pattern: "(" } }]);
    assert.equal(rest.length, 0);
    assert.equal(issue?.path, "validation.1.params.pattern");
    assert.match(issue?.message ?? "", /^invalid regular expression/);
  });

  it("given a regex without a pattern or with bad flags, then the field is named", () => {
    assert.deepEqual(issues([{ type: "regex" }]), [
      { path: "validation.0.params.pattern", message: "is required (expected a string)" },
    ]);
    assert.equal(
      issues([{ type: "regex", params: { pattern: "a", flags: "q" } }])[0]?.path,
      "validation.0.params.flags",
    );
  });

  it("given a param of the wrong type, then it is named with what was expected", () => {
    assert.deepEqual(issues([{ type: "length", params: { min_length: "3" } }]), [
      { path: "validation.0.params.min_length", message: "expected a number, received string" },
    ]);
    assert.equal(
      issues([{ type: "contains", params: { required_text: 7 } }])[0]?.path,
      "validation.0.params.required_text",
    );
  });

  it("given an unknown param or a rule over params as a whole, then params itself is named", () => {
    assert.match(issues([{ type: "length", params: { min: 3 } }])[0]?.path ?? "", /^validation\.0\.params/);
    assert.deepEqual(
      issues([{ type: "length", params: {} }]).map((i) => i.path),
      ["validation.0.params"],
    );
  });

  it("given a JSON Schema ajv refuses, then validation.N.params.schema is named", () => {
    const [issue] = issues([{ type: "schema", params: { schema: { type: "no-such-type" } } }]);
    assert.equal(issue?.path, "validation.0.params.schema");
    assert.match(issue?.message ?? "", /^invalid JSON Schema/);
  });

  it("given good params (a hostile-looking pattern included: the engine is linear), then there is no issue", () => {
    assert.deepEqual(
      issues([
        { type: "regex", params: { pattern: "([A-Za-z0-9]+ ?)+#", flags: "i" } },
        { type: "length", params: { min_length: 1, max_length: 10 } },
        { type: "schema", params: { schema: { type: "object" } } },
        { type: "sql", params: { dialect: "postgres" } },
        { type: "agent_task", params: { task_prompt: "Check it." } },
        { type: "not_empty", params: { anything: true } },
      ]),
      [],
    );
  });

  it("given every validator, then the submit-time check refuses exactly what the validator refuses as params", async () => {
    // One bad value per validator that takes params; the paramless ones ignore what they get.
    const bad: Record<string, Record<string, unknown>> = {
      length: { max_length: -1 },
      regex: { pattern: "[" },
      contains: { required_text: "" },
      code: { language: "cobol" },
      python: { language: "python" },
      schema: { schema: 3 },
      field_present: { field_name: "" },
      sql: { dialect: "nosql" },
      sql_safe: { dialect: "nosql" },
      ai_contradiction_check: { text_to_check: 1, topic_context: "t" },
      agent_task: { task_prompt: "" },
    };
    for (const name of VALIDATOR_NAMES) {
      const params = bad[name];
      if (!params) {
        assert.deepEqual(PARAM_CHECKS[name]({ anything: 1 }), [], `${name} takes no params`);
        continue;
      }
      const found = PARAM_CHECKS[name](params);
      assert.ok(found.length > 0, `${name}: ${JSON.stringify(params)} is refused at submit time`);
      const ran = await runValidation("some response", { type: name, params }, {});
      assert.equal(ran.valid, false, `${name} refuses them when it runs`);
      assert.match(ran.error ?? "", /^params\b/, `${name} names params when it runs: ${ran.error}`);
    }
  });
});
