// JSON document validators: given a JSON (or YAML) response, when schema, field_present or
// openapi_spec runs, then a conforming document passes and every violation is named.
import { type Case, fence, runCases } from "./cases.ts";

const PERSON_SCHEMA = {
  type: "object",
  required: ["name", "email"],
  properties: {
    name: { type: "string" },
    email: { type: "string", format: "email" },
    age: { type: "integer" },
  },
  additionalProperties: false,
};

const OPENAPI_YAML = [
  "openapi: 3.0.3",
  "info:",
  "  title: Pets",
  "  version: '1.0'",
  "paths:",
  "  /pets:",
  "    get:",
  "      responses:",
  "        '200':",
  "          description: ok",
].join("\n");

const cases: Case[] = [
  // schema
  {
    name: "matches",
    spec: { type: "schema", params: { schema: PERSON_SCHEMA } },
    response: '{"name":"Ada","email":"ada@example.com"}',
    valid: true,
  },
  {
    name: "draft 2020-12 in a fence",
    spec: {
      type: "schema",
      params: {
        schema: {
          $schema: "https://json-schema.org/draft/2020-12/schema",
          type: "array",
          prefixItems: [{ type: "number" }],
        },
      },
    },
    response: fence("json", "[1, 2]"),
    valid: true,
  },
  {
    name: "all violations listed",
    spec: { type: "schema", params: { schema: PERSON_SCHEMA } },
    response: '{"email":"nope","age":1.5,"x":1}',
    valid: false,
    error:
      /^Schema validation failed: \(root\): must have required property 'name'; \(root\): must NOT have additional properties \("x"\); \/email: must match format "email"; \/age: must be integer$/,
  },
  {
    name: "not JSON",
    spec: { type: "schema", params: { schema: PERSON_SCHEMA } },
    response: "Ada",
    valid: false,
    error:
      /^No valid JSON found in response \(Invalid JSON: .*\); as text it fails the schema: \(root\): must be object$/,
  },
  // field_present
  {
    name: "dotted path",
    spec: { type: "field_present", params: { field_name: "user.address.city" } },
    response: '{"user":{"address":{"city":"Oslo"}}}',
    valid: true,
  },
  {
    name: "array index",
    spec: { type: "field_present", params: { field_name: "items.1.id", expected_value: 7 } },
    response: '{"items":[{"id":1},{"id":7}]}',
    valid: true,
  },
  {
    name: "expected null is any value, null included",
    spec: { type: "field_present", params: { field_name: "a", expected_value: null } },
    response: '{"a":null}',
    valid: true,
  },
  {
    name: "deep equality",
    spec: { type: "field_present", params: { field_name: "a", expected_value: { b: [1, true] } } },
    response: '{"a": {"b": [1.0, 1]}}',
    valid: true,
  },
  {
    name: "absent as wanted",
    spec: { type: "field_present", params: { field_name: "secret", should_exist: false } },
    response: '{"a":1}',
    valid: true,
  },
  {
    name: "missing",
    spec: { type: "field_present", params: { field_name: "user.name" } },
    response: '{"user":{}}',
    valid: false,
    error: /Required field 'user.name' not found/,
  },
  {
    name: "wrong value",
    spec: { type: "field_present", params: { field_name: "status", expected_value: "ok" } },
    response: '{"status":"error"}',
    valid: false,
    error: /'status' has value "error", expected "ok"/,
  },
  {
    name: "present but forbidden",
    spec: { type: "field_present", params: { field_name: "secret", should_exist: false } },
    response: '{"secret":1}',
    valid: false,
    error: /should not be present/,
  },
  {
    name: "not JSON",
    spec: { type: "field_present", params: { field_name: "a" } },
    response: "a: 1",
    valid: false,
    error: /No valid JSON/,
  },
  // openapi_spec
  { name: "YAML", spec: { type: "openapi_spec" }, response: OPENAPI_YAML, valid: true },
  {
    name: "YAML in a fence",
    spec: { type: "openapi_spec" },
    response: fence("yaml", OPENAPI_YAML),
    valid: true,
  },
  {
    name: "JSON",
    spec: { type: "openapi_spec" },
    response: JSON.stringify({ swagger: "2.0", info: { title: "t", version: "1" }, paths: {} }),
    valid: true,
  },
  {
    name: "missing info.version",
    spec: { type: "openapi_spec" },
    response: JSON.stringify({ openapi: "3.0.0", info: { title: "t" }, paths: {} }),
    valid: false,
    error: /^Missing 'info.version'$/,
  },
  {
    name: "no version field",
    spec: { type: "openapi_spec" },
    response: "info:\n  title: t\n",
    valid: false,
    error: /Missing OpenAPI\/Swagger version/,
  },
  {
    name: "prose",
    spec: { type: "openapi_spec" },
    response: "Sorry, I cannot.",
    valid: false,
    error: /must be an object/,
  },
  {
    name: "broken JSON",
    spec: { type: "openapi_spec" },
    response: '{"openapi": ',
    valid: false,
    error: /Failed to parse/,
  },
];

runCases("JSON document validators", cases);
