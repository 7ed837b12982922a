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
    error: /^params\.pattern: invalid regular expression: missing \), unterminated subpattern/,
  },
  {
    spec: { type: "regex", params: { pattern: "\\q" } },
    error: /^params\.pattern: invalid regular expression: bad escape \\q at position 0$/,
  },
  {
    spec: { type: "regex", params: { pattern: "a(?i)b" } },
    error: /^params\.pattern: invalid regular expression: global flags not at the start/,
  },
  {
    spec: { type: "regex", params: { pattern: "a", flags: "q" } },
    error: /^params\.flags: unknown flag "q"/,
  },
  {
    spec: { type: "regex", params: { pattern: "a", flags: 1 } },
    error: /^params\.flags: unknown Python re flag bits 1$/,
  },
  {
    spec: { type: "regex", params: { pattern: "a", flags: 4 } },
    error: /^params\.flags: cannot use LOCALE flag with a str pattern$/,
  },
  {
    spec: { type: "regex", params: { pattern: "a", flags: true } },
    error: /^params\.flags: expected Python re flags/,
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
  {
    spec: { type: "python", params: { language: "python" } },
    error: /^params: unrecognized key: "language"/i,
  },
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
    spec: { type: "ai_contradiction_check", params: { text_to_check: "x" } },
    error: /^params\.topic_context: is required \(expected a string\)$/,
  },
  {
    spec: { type: "ai_contradiction_check", params: { text_to_check: "x", topic_context: "y", focus: 1 } },
    error: /^params: unrecognized key: "focus"/i,
  },
  {
    spec: { type: "agent_task", params: { task_prompt: "x", mcp_config: "npx evil" } },
    error: /^params\.mcp_config: expected a record/,
  },
];

// llm_call's constructors take these; they are accepted (and documented as not used).
const accepted: ValidationSpec[] = [
  {
    type: "agent_task",
    params: {
      task_prompt: "Check it",
      validation_model: "max/claude-3-opus",
      mcp_config: { mcpServers: { x: { command: "npx" } } },
      required_mcp_tools: ["perplexity-ask"],
    },
  },
  {
    type: "ai_contradiction_check",
    params: {
      text_to_check: "t",
      topic_context: "c",
      validation_model: "max/claude-3-opus",
      required_mcp_tools: ["perplexity-ask"],
    },
  },
  { type: "regex", params: { pattern: "a", flags: 2 | 8 | 16 | 32 | 64 | (256 - 32) } },
  { type: "field_present", params: { field_name: "a", expected_value: null, should_exist: true } },
];

describe("llm_call's params are accepted", () => {
  for (const spec of accepted) {
    it(`${spec.type} ${Object.keys(spec.params ?? {}).join(", ")}`, async () => {
      const judge = async () => '{"validation_passed": true, "contradictions_found": false}';
      const result = await runValidation('{"a": 1}', spec, { judge });
      assert.deepEqual(result, { valid: true });
    });
  }
});

describe("bad params name the param", () => {
  for (const c of badParams) {
    it(`${c.spec.type} ${JSON.stringify(c.spec.params)}`, async () => {
      const result = await runValidation('{"a": 1}', c.spec, { judge: async () => "VALID" });
      assert.equal(result.valid, false);
      assert.match(result.error ?? "", c.error);
    });
  }
});
