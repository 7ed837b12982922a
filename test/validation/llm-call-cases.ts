// The cases of the llm_call semantics table (llm-call-semantics.unit.spec.ts): each names the
// llm_call source it mirrors, under src/llm_call/core/validation/builtin_strategies/ of
// grahama1970/llm_call, and, where we are deliberately stricter, what llm_call answers and why.
import type { ValidationSpec } from "../../src/validation/index.ts";
import { fence } from "./cases.ts";

export type LlmCallCase = {
  /** The llm_call file and class.method this case mirrors. */
  mirrors: string;
  name: string;
  spec: ValidationSpec;
  response: string;
  valid: boolean;
  error?: RegExp;
  /** For the judges: what the judge answers. */
  judge?: string;
  /** llm_call's verdict, when it differs from ours, and why we differ. */
  llmCall?: { valid: boolean; why: string };
};

const BASIC = "basic_validators.py";
const ADVANCED = "advanced_validators.py";
const SPECIAL = "specialized_validators.py";
const AI = "ai_validators.py";

const PERSON = {
  type: "object",
  required: ["name"],
  properties: { name: { type: "string" }, age: { type: "integer" } },
};
const oas = (doc: Record<string, unknown>) => JSON.stringify(doc);
const INFO = { title: "Pets", version: "1.0" };

export const LLM_CALL_CASES: LlmCallCase[] = [
  // response_not_empty, not_empty
  {
    mirrors: `${BASIC} ResponseNotEmptyValidator.validate`,
    name: "text",
    spec: { type: "response_not_empty" },
    response: "hi",
    valid: true,
  },
  {
    mirrors: `${BASIC} ResponseNotEmptyValidator.validate`,
    name: "whitespace only (content.strip())",
    spec: { type: "response_not_empty" },
    response: " \n\t",
    valid: false,
    error: /^Response content is empty$/,
  },
  {
    mirrors: `${SPECIAL} NotEmptyValidator.validate`,
    name: "alias of response_not_empty",
    spec: { type: "not_empty" },
    response: "",
    valid: false,
    error: /^Response content is empty$/,
  },
  // json_string, json
  {
    mirrors: `${BASIC} JsonStringValidator.validate`,
    name: "json.loads of the whole content, whitespace around",
    spec: { type: "json_string" },
    response: ' {"a": 1}\n',
    valid: true,
  },
  {
    mirrors: `${BASIC} JsonStringValidator.validate`,
    name: "empty content",
    spec: { type: "json_string" },
    response: "",
    valid: false,
    error: /^Empty content cannot be valid JSON$/,
  },
  {
    mirrors: `${BASIC} JsonStringValidator.validate`,
    name: "JSON in a code fence is not JSON",
    spec: { type: "json_string" },
    response: fence("json", '{"a": 1}'),
    valid: false,
    error: /^Invalid JSON: .*\(the JSON is inside a fenced code block\)$/,
  },
  {
    mirrors: `${BASIC} JsonStringValidator.validate`,
    name: "JSON amid prose is not JSON",
    spec: { type: "json_string" },
    response: 'Here: {"a": 1}',
    valid: false,
    error: /^Invalid JSON: /,
  },
  {
    mirrors: `${SPECIAL} JsonValidator.validate`,
    name: "alias, a number",
    spec: { type: "json" },
    response: "42",
    valid: true,
  },
  {
    mirrors: `${SPECIAL} JsonValidator.validate`,
    name: "alias, unquoted key",
    spec: { type: "json" },
    response: "{a: 1}",
    valid: false,
    error: /^Invalid JSON/,
  },
  // length
  {
    mirrors: `${ADVANCED} LengthValidator.validate`,
    name: "within bounds",
    spec: { type: "length", params: { min_length: 2, max_length: 5 } },
    response: "abc",
    valid: true,
  },
  {
    mirrors: `${ADVANCED} LengthValidator.validate`,
    name: "len() counts code points",
    spec: { type: "length", params: { max_length: 2 } },
    response: "😀😀",
    valid: true,
  },
  {
    mirrors: `${ADVANCED} LengthValidator.validate`,
    name: "too short",
    spec: { type: "length", params: { min_length: 10 } },
    response: "abc",
    valid: false,
    error: /^Response too short: 3 characters \(minimum: 10\)$/,
  },
  {
    mirrors: `${ADVANCED} LengthValidator.validate`,
    name: "too long",
    spec: { type: "length", params: { max_length: 2 } },
    response: "abc",
    valid: false,
    error: /^Response too long: 3 characters \(maximum: 2\)$/,
  },
  // regex: re.compile(pattern, flags).search(content)
  ...(
    [
      ["searched anywhere", "\\d{3}", 0, "code 123!", true],
      ["re.I (2)", "hello", 2, "HELLO", true],
      ["$ matches before a final newline", "^\\d+$", 0, "42\n", true],
      ["\\Z is the very end", "42\\Z", 0, "42\n", false],
      ["\\w is Unicode in a str pattern", "^\\w+$", 0, "café", true],
      ["re.A (256) makes \\w ASCII", "^\\w+$", 256, "café", false],
      ["named group and (?P=name)", "(?P<w>ab)(?P=w)", 0, "xabab", true],
      ["re.M (8)", "^b$", 8, "a\nb\nc", true],
      ["no re.M: ^ and $ are the ends", "^b$", 0, "a\nb\nc", false],
      ["re.S (16)", "a.b", 16, "a\nb", true],
      ["no re.S: . is not a newline", "a.b", 0, "a\nb", false],
      ["re.X (64): whitespace and comments", "a b  # the letters", 64, "ab", true],
      ["inline (?i)", "(?i)hello", 0, "HeLLo", true],
      ["{,n} is {0,n}", "^a{,2}b$", 0, "aab", true],
      ["lookahead", "^(?=.*\\d)[a-z\\d]+$", 0, "abc1", true],
      ["the fleet-freezing pattern on a long input", "([A-Za-z0-9]+ ?)+#", 0, "word ".repeat(20_000), false],
    ] as const
  ).map(
    ([name, pattern, flags, response, valid]): LlmCallCase => ({
      mirrors: `${ADVANCED} RegexValidator.validate`,
      name,
      spec: { type: "regex", params: { pattern, flags } },
      response,
      valid,
      error: /^Response does not match pattern: /,
    }),
  ),
  // contains
  {
    mirrors: `${ADVANCED} ContainsValidator.validate`,
    name: "case-insensitive by default",
    spec: { type: "contains", params: { required_text: "WORLD" } },
    response: "hello world",
    valid: true,
  },
  {
    mirrors: `${ADVANCED} ContainsValidator.validate`,
    name: "a list, case-sensitive",
    spec: { type: "contains", params: { required_text: ["hello", "World"], case_sensitive: true } },
    response: "hello world",
    valid: false,
    error: /^Response missing required text: "World"/,
  },
  // code (language defaults to python) and python
  {
    mirrors: `${ADVANCED} CodeValidator.validate`,
    name: "unfenced Python: no block, so the whole response is parsed",
    spec: { type: "code" },
    response: "def f(x):\n    return x * 2\n",
    valid: true,
  },
  {
    mirrors: `${ADVANCED} CodeValidator.validate`,
    name: "a ```python block amid prose",
    spec: { type: "code", params: { language: "python" } },
    response: fence("python", "class A:\n    pass"),
    valid: true,
  },
  {
    mirrors: `${ADVANCED} CodeValidator._validate_python`,
    name: "ast.parse rejects 1 = x",
    spec: { type: "code" },
    response: "1 = x\n",
    valid: false,
    error: /^Invalid python code: Block 1: Syntax error at line 1: cannot assign to literal/,
  },
  {
    mirrors: `${ADVANCED} CodeValidator._validate_python`,
    name: "ast.parse rejects a bad dedent",
    spec: { type: "code" },
    response: "if x:\n    a = 1\n  b = 2\n",
    valid: false,
    error:
      /^Invalid python code: Block 1: Syntax error at line 3: unindent does not match any outer indentation level$/,
  },
  {
    mirrors: `${ADVANCED} CodeValidator._validate_python`,
    name: "ast.parse rejects tabs mixed with spaces",
    spec: { type: "code" },
    response: "if x:\n\ta = 1\n        b = 2\n",
    valid: false,
    error: /Syntax error at line 3: inconsistent use of tabs and spaces in indentation$/,
  },
  {
    mirrors: `${ADVANCED} CodeValidator.validate`,
    name: "each block is numbered",
    spec: { type: "code" },
    response: fence("python", "x = 1") + fence("python", "def f(:\n    pass"),
    valid: false,
    error: /^Invalid python code: Block 2: Syntax error at line 1: /,
  },
  {
    mirrors: `${SPECIAL} PythonCodeValidator.validate`,
    name: "whole response",
    spec: { type: "python" },
    response: "import os\nprint(os.getcwd())\n",
    valid: true,
  },
  {
    mirrors: `${SPECIAL} PythonCodeValidator.validate`,
    name: "Python 2 print",
    spec: { type: "python" },
    response: "print 'hello'\n",
    valid: false,
    error: /Missing parentheses in call to 'print'/,
  },
  {
    mirrors: `${SPECIAL} PythonCodeValidator.validate`,
    name: "empty response",
    spec: { type: "python" },
    response: "  ",
    valid: false,
    error: /^No python code found in the response$/,
    llmCall: { valid: true, why: "ast.parse('') succeeds; an empty answer is no code to us" },
  },
  // schema: clean_json_string + jsonschema.Draft7Validator
  {
    mirrors: `${ADVANCED} SchemaValidator.validate`,
    name: "matches",
    spec: { type: "schema", params: { schema: PERSON } },
    response: '{"name": "Ada", "age": 36}',
    valid: true,
  },
  {
    mirrors: `${ADVANCED} SchemaValidator.validate (clean_json_string)`,
    name: "JSON amid prose",
    spec: { type: "schema", params: { schema: PERSON } },
    response: 'The person is {"name": "Ada"} as asked.',
    valid: true,
  },
  {
    mirrors: `${ADVANCED} SchemaValidator.validate (clean_json_string)`,
    name: "JSON in a fence",
    spec: { type: "schema", params: { schema: PERSON } },
    response: fence("json", '{"name": "Ada"}'),
    valid: true,
  },
  {
    mirrors: `${ADVANCED} SchemaValidator.validate`,
    name: "Draft 7 by default: prefixItems is no keyword there",
    spec: { type: "schema", params: { schema: { type: "array", prefixItems: [{ type: "number" }] } } },
    response: '["x"]',
    valid: true,
  },
  {
    mirrors: `${ADVANCED} SchemaValidator.validate`,
    name: "a violation",
    spec: { type: "schema", params: { schema: PERSON } },
    response: '{"age": 1.5}',
    valid: false,
    error: /^Schema validation failed: \(root\): must have required property 'name'; \/age: must be integer$/,
  },
  {
    mirrors: `${ADVANCED} SchemaValidator.validate (clean_json_string)`,
    name: "no JSON: the text itself is the instance",
    spec: { type: "schema", params: { schema: { type: "string" } } },
    response: "hello",
    valid: true,
  },
  {
    mirrors: `${ADVANCED} SchemaValidator.validate`,
    name: "a format is checked",
    spec: { type: "schema", params: { schema: { type: "string", format: "email" } } },
    response: '"not-an-email"',
    valid: false,
    error: /must match format "email"/,
    llmCall: { valid: true, why: "Draft7Validator without a format checker ignores format" },
  },
  // field_present
  {
    mirrors: `${ADVANCED} FieldPresentValidator.validate`,
    name: "dotted path",
    spec: { type: "field_present", params: { field_name: "user.address.city" } },
    response: '{"user": {"address": {"city": "Oslo"}}}',
    valid: true,
  },
  {
    mirrors: `${ADVANCED} FieldPresentValidator.__init__ (expected_value=None)`,
    name: "expected_value null means any value",
    spec: { type: "field_present", params: { field_name: "a", expected_value: null } },
    response: '{"a": 5}',
    valid: true,
  },
  {
    mirrors: `${ADVANCED} FieldPresentValidator.validate (current != expected_value)`,
    name: "Python equality: true == 1",
    spec: { type: "field_present", params: { field_name: "ok", expected_value: 1 } },
    response: '{"ok": true}',
    valid: true,
  },
  {
    mirrors: `${ADVANCED} FieldPresentValidator.validate`,
    name: "wrong value",
    spec: { type: "field_present", params: { field_name: "status", expected_value: "ok" } },
    response: '{"status": "error"}',
    valid: false,
    error: /^Field 'status' has value "error", expected "ok"$/,
  },
  {
    mirrors: `${ADVANCED} FieldPresentValidator.validate`,
    name: "missing",
    spec: { type: "field_present", params: { field_name: "user.name" } },
    response: '{"user": {}}',
    valid: false,
    error: /^Required field 'user.name' not found$/,
  },
  {
    mirrors: `${ADVANCED} FieldPresentValidator.validate`,
    name: "present but should not exist",
    spec: { type: "field_present", params: { field_name: "secret", should_exist: false } },
    response: '{"secret": 1}',
    valid: false,
    error: /^Field 'secret' should not be present$/,
  },
  {
    mirrors: `${ADVANCED} FieldPresentValidator.validate (clean_json_string)`,
    name: "JSON amid prose",
    spec: { type: "field_present", params: { field_name: "ok" } },
    response: 'Result: {"ok": true}.',
    valid: true,
  },
  {
    mirrors: `${ADVANCED} FieldPresentValidator.validate`,
    name: "no JSON, should_exist false",
    spec: { type: "field_present", params: { field_name: "secret", should_exist: false } },
    response: "no json here",
    valid: true,
  },
  // sql
  {
    mirrors: `${SPECIAL} SQLValidator.validate`,
    name: "a select",
    spec: { type: "sql" },
    response: "SELECT id FROM users",
    valid: true,
  },
  {
    mirrors: `${SPECIAL} SQLValidator.validate`,
    name: "MySQL backticks",
    spec: { type: "sql" },
    response: "SELECT `u`.`id` FROM `shop`.`users` AS `u`",
    valid: true,
  },
  {
    mirrors: `${SPECIAL} SQLValidator.validate`,
    name: "no SQL keyword",
    spec: { type: "sql" },
    response: "Hello there",
    valid: false,
    error: /^No SQL statements found in response$/,
  },
  {
    mirrors: `${SPECIAL} SQLValidator.validate`,
    name: "a typo",
    spec: { type: "sql" },
    response: "SELECT * FORM users",
    valid: false,
    error: /does not parse/,
    llmCall: { valid: true, why: "llm_call only looks for a keyword and balanced quotes; we parse" },
  },
  // sql_safe
  {
    mirrors: `${SPECIAL} SQLSafetyValidator.validate`,
    name: "a select",
    spec: { type: "sql_safe" },
    response: "SELECT * FROM users WHERE active = 1",
    valid: true,
  },
  {
    mirrors: `${SPECIAL} SQLSafetyValidator.validate`,
    name: "drop",
    spec: { type: "sql_safe" },
    response: "DROP TABLE users",
    valid: false,
    error: /^SQL contains potentially dangerous operations: DROP$/,
  },
  {
    mirrors: `${SPECIAL} SQLSafetyValidator.validate`,
    name: "a delete after a select",
    spec: { type: "sql_safe" },
    response: "SELECT 1; DELETE FROM users;",
    valid: false,
    error: /DELETE/,
  },
  {
    mirrors: `${SPECIAL} SQLSafetyValidator.validate`,
    name: "a column named deleted_at",
    spec: { type: "sql_safe" },
    response: "SELECT deleted_at FROM users",
    valid: true,
    llmCall: { valid: false, why: "llm_call matches DELETE as a substring; we read the statements" },
  },
  // openapi_spec
  {
    mirrors: `${SPECIAL} OpenAPISpecValidator.validate`,
    name: "OpenAPI 3.0 with only components",
    spec: { type: "openapi_spec" },
    response: oas({ openapi: "3.0.3", info: INFO, components: { schemas: { Pet: { type: "object" } } } }),
    valid: true,
  },
  {
    mirrors: `${SPECIAL} OpenAPISpecValidator.validate`,
    name: "YAML",
    spec: { type: "openapi_spec" },
    response: "openapi: 3.0.0\ninfo:\n  title: Pets\n  version: '1'\npaths: {}\n",
    valid: true,
  },
  {
    mirrors: `${SPECIAL} OpenAPISpecValidator.validate`,
    name: "no version",
    spec: { type: "openapi_spec" },
    response: oas({ info: INFO, paths: {} }),
    valid: false,
    error: /^Missing OpenAPI\/Swagger version$/,
  },
  {
    mirrors: `${SPECIAL} OpenAPISpecValidator.validate`,
    name: "no info",
    spec: { type: "openapi_spec" },
    response: oas({ openapi: "3.0.0", paths: {} }),
    valid: false,
    error: /^Missing 'info' section$/,
  },
  {
    mirrors: `${SPECIAL} OpenAPISpecValidator.validate`,
    name: "no info.version",
    spec: { type: "openapi_spec" },
    response: oas({ openapi: "3.0.0", info: { title: "t" }, paths: {} }),
    valid: false,
    error: /^Missing 'info.version'$/,
  },
  {
    mirrors: `${SPECIAL} OpenAPISpecValidator.validate`,
    name: "3.x without paths or components",
    spec: { type: "openapi_spec" },
    response: oas({ openapi: "3.1.0", info: INFO }),
    valid: false,
    error: /^OpenAPI 3.x spec missing both 'paths' and 'components'$/,
  },
  {
    mirrors: `${SPECIAL} OpenAPISpecValidator.validate`,
    name: "Swagger 2.0 without paths",
    spec: { type: "openapi_spec" },
    response: oas({ swagger: "2.0", info: INFO }),
    valid: false,
    error: /^Swagger 2.0 spec missing 'paths'$/,
  },
  {
    mirrors: `${SPECIAL} OpenAPISpecValidator.validate`,
    name: "a response without its required description",
    spec: { type: "openapi_spec" },
    response: oas({ openapi: "3.0.3", info: INFO, paths: { "/a": { get: { responses: { "200": {} } } } } }),
    valid: false,
    error: /^Invalid OpenAPI spec: .*description/,
    llmCall: { valid: true, why: "llm_call checks the outline only; we validate against the specification" },
  },
  // ai_contradiction_check: judges text_to_check, not the response
  {
    mirrors: `${AI} AIContradictionValidator.validate`,
    name: "no contradictions found",
    spec: {
      type: "ai_contradiction_check",
      params: { text_to_check: "Water boils at 100 °C.", topic_context: "physics" },
    },
    response: "ignored",
    judge: '{"contradictions_found": false, "certainty_of_findings": 0.9, "summary_of_findings": "none"}',
    valid: true,
  },
  {
    mirrors: `${AI} AIContradictionValidator.validate`,
    name: "contradictions found",
    spec: {
      type: "ai_contradiction_check",
      params: {
        text_to_check: "The Earth is flat and round.",
        topic_context: "Earth",
        validation_model: "max/opus",
      },
    },
    response: "ignored",
    judge: '```json\n{"contradictions_found": true, "summary_of_findings": "flat and round at once"}\n```',
    valid: false,
    error: /^AI found contradictions: flat and round at once$/,
  },
  {
    mirrors: `${AI} AIContradictionValidator.validate`,
    name: "an empty text_to_check is skipped",
    spec: { type: "ai_contradiction_check", params: { text_to_check: "  ", topic_context: "x" } },
    response: "ignored",
    judge: "this judge is never asked",
    valid: true,
  },
  {
    mirrors: `${AI} AIContradictionValidator.validate (get("contradictions_found", True))`,
    name: "no contradictions_found key",
    spec: { type: "ai_contradiction_check", params: { text_to_check: "a", topic_context: "b" } },
    response: "ignored",
    judge: '{"summary_of_findings": "unsure"}',
    valid: false,
    error: /^AI found contradictions: unsure$/,
  },
  {
    mirrors: `${AI} AIContradictionValidator.validate (json.JSONDecodeError)`,
    name: "an answer that is not JSON",
    spec: { type: "ai_contradiction_check", params: { text_to_check: "a", topic_context: "b" } },
    response: "ignored",
    judge: "Looks fine to me!",
    valid: false,
    error: /^AI Validator: Invalid JSON response: /,
  },
  // agent_task
  {
    mirrors: `${AI} AgentTaskValidator.validate`,
    name: "validation passed, llm_call's params accepted",
    spec: {
      type: "agent_task",
      params: {
        task_prompt: "Check the haiku has three lines",
        validation_model: "max/claude-3-opus",
        mcp_config: { mcpServers: {} },
        required_mcp_tools: ["perplexity-ask"],
      },
    },
    response: "an old pond\na frog jumps in\nthe sound of water",
    judge: '{"validation_passed": true, "explanation": "three lines", "details": {}}',
    valid: true,
  },
  {
    mirrors: `${AI} AgentTaskValidator.validate`,
    name: "validation failed",
    spec: { type: "agent_task", params: { task_prompt: "Check the haiku has three lines" } },
    response: "one line",
    judge: 'Result: {"validation_passed": false, "explanation": "only one line"}',
    valid: false,
    error: /^Agent validation failed: only one line$/,
  },
  {
    mirrors: `${AI} AgentTaskValidator.validate (get("validation_passed", False))`,
    name: "no validation_passed key",
    spec: { type: "agent_task", params: { task_prompt: "Check it" } },
    response: "x",
    judge: '{"explanation": "hmm"}',
    valid: false,
    error: /^Agent validation failed: hmm$/,
  },
];
