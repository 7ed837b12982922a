// Given a validation spec with bad params, when it runs, then it fails with an error naming the
// param ("params.min_length: ..."), never a throw.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runValidation, type ValidationSpec } from "../../src/validation/index.ts";

const badParams: Array<{ spec: ValidationSpec; error: RegExp }> = [
  {
    spec: { type: "length", params: { min_length: "5" } },
    error: /^params\.min_length: expected a number, received string$/,
  },
  { spec: { type: "length", params: {} }, error: /^params: set min_length, max_length or both$/ },
  {
    spec: { type: "length", params: { min_length: 5, max_length: 2 } },
    error: /^params: min_length is greater than max_length$/,
  },
  { spec: { type: "length", params: { min_lenght: 5 } }, error: /^params: unrecognized key: "min_lenght"/i },
  { spec: { type: "regex", params: {} }, error: /^params\.pattern: is required \(expected a string\)$/ },
  {
    spec: { type: "regex", params: { pattern: "(unclosed" } },
    error: /^params\.pattern: invalid regular expression/,
  },
  { spec: { type: "regex", params: { pattern: "a", flags: "q" } }, error: /^params\.flags: Invalid flags/ },
  { spec: { type: "regex", params: { pattern: "a", flags: 64 } }, error: /^params\.flags: re\.VERBOSE/ },
  {
    spec: { type: "regex", params: { pattern: "a", flags: true } },
    error: /^params\.flags: expected JavaScript flag letters/,
  },
  {
    spec: { type: "contains", params: { required_text: [] } },
    error: /^params\.required_text: too small: expected an array to have >=1 items$/,
  },
  {
    spec: { type: "contains", params: { required_text: 5 } },
    error: /^params\.required_text: expected a non-empty string or a non-empty list/,
  },
  {
    spec: { type: "contains", params: { required_text: "a", case_sensitive: "yes" } },
    error: /^params\.case_sensitive: expected a boolean/,
  },
  { spec: { type: "code", params: { language: "rust" } }, error: /^params\.language: unsupported language/ },
  { spec: { type: "schema", params: {} }, error: /^params\.schema: expected a JSON Schema object$/ },
  {
    spec: { type: "schema", params: { schema: { type: "nope" } } },
    error: /^params\.schema: invalid JSON Schema/,
  },
  { spec: { type: "field_present", params: { field_name: "" } }, error: /^params\.field_name: / },
  {
    spec: { type: "field_present", params: { field_name: "a", should_exist: 0 } },
    error: /^params\.should_exist: expected a boolean/,
  },
  {
    spec: { type: "sql", params: { dialect: "oracle" } },
    error: /^params\.dialect: unsupported dialect; use one of athena/,
  },
  { spec: { type: "sql_safe", params: { dialect: 3 } }, error: /^params\.dialect: expected a string/ },
  { spec: { type: "agent_task", params: {} }, error: /^params\.task_prompt: is required/ },
  {
    spec: { type: "ai_contradiction_check", params: { focus: 1 } },
    error: /^params\.focus: expected a string/,
  },
];

describe("bad params name the param", () => {
  for (const c of badParams) {
    it(`${c.spec.type} ${JSON.stringify(c.spec.params)}`, async () => {
      const result = await runValidation('{"a": 1}', c.spec, { judge: async () => "VALID" });
      assert.equal(result.valid, false);
      assert.match(result.error ?? "", c.error);
    });
  }
});
