// Text validators (response_not_empty, json_string, length, regex, contains and their aliases):
// given a response, when validated, then it passes or fails as llm_call's validator would.
import { type Case, fence, runCases } from "./cases.ts";

const cases: Case[] = [
  // response_not_empty / not_empty
  { name: "text passes", spec: { type: "response_not_empty" }, response: "hi", valid: true },
  {
    name: "whitespace fails",
    spec: { type: "response_not_empty" },
    response: " \n\t",
    valid: false,
    error: /empty/,
  },
  { name: "alias passes", spec: { type: "not_empty" }, response: "hi", valid: true },
  { name: "alias fails", spec: { type: "not_empty" }, response: "", valid: false, error: /empty/ },
  // json_string / json
  { name: "bare JSON", spec: { type: "json_string" }, response: ' {"a": 1} ', valid: true },
  {
    name: "```json block is not bare JSON",
    spec: { type: "json_string" },
    response: fence("json", '{"a": [1, 2]}'),
    valid: false,
    error: /inside a fenced code block/,
  },
  {
    name: "prose",
    spec: { type: "json_string" },
    response: "not json",
    valid: false,
    error: /^Invalid JSON/,
  },
  {
    name: "broken JSON in block",
    spec: { type: "json_string" },
    response: fence("json", '{"a": 1,}'),
    valid: false,
    error: /^Invalid JSON: [^(]*$/,
  },
  { name: "alias passes", spec: { type: "json" }, response: "42", valid: true },
  { name: "alias fails", spec: { type: "json" }, response: "{a: 1}", valid: false, error: /Invalid JSON/ },
  // length
  {
    name: "within bounds",
    spec: { type: "length", params: { min_length: 2, max_length: 5 } },
    response: "abc",
    valid: true,
  },
  {
    name: "emoji counts once",
    spec: { type: "length", params: { max_length: 2 } },
    response: "😀😀",
    valid: true,
  },
  {
    name: "too short",
    spec: { type: "length", params: { min_length: 10 } },
    response: "abc",
    valid: false,
    error: /too short: 3 characters \(minimum: 10\)/,
  },
  {
    name: "too long",
    spec: { type: "length", params: { max_length: 2 } },
    response: "abc",
    valid: false,
    error: /too long: 3 characters \(maximum: 2\)/,
  },
  // regex
  {
    name: "matches anywhere",
    spec: { type: "regex", params: { pattern: "\\d{3}" } },
    response: "code 123!",
    valid: true,
  },
  {
    name: "flag letters",
    spec: { type: "regex", params: { pattern: "^hello$", flags: "im" } },
    response: "x\nHELLO\ny",
    valid: true,
  },
  {
    name: "Python re.IGNORECASE number",
    spec: { type: "regex", params: { pattern: "hello", flags: 2 } },
    response: "HELLO",
    valid: true,
  },
  {
    name: "Python named group and inline flag",
    spec: { type: "regex", params: { pattern: "(?i)(?P<w>ab)(?P=w)" } },
    response: "xABab",
    valid: true,
  },
  {
    name: "no match",
    spec: { type: "regex", params: { pattern: "^\\d+$" } },
    response: "abc",
    valid: false,
    error: /does not match pattern: \^\\d\+\$/,
  },
  // contains
  {
    name: "one text, any case",
    spec: { type: "contains", params: { required_text: "WORLD" } },
    response: "hello world",
    valid: true,
  },
  {
    name: "list, all present",
    spec: { type: "contains", params: { required_text: ["a", "b"], case_sensitive: true } },
    response: "a b",
    valid: true,
  },
  {
    name: "case-sensitive miss",
    spec: { type: "contains", params: { required_text: ["hello", "World"], case_sensitive: true } },
    response: "hello world",
    valid: false,
    error: /missing required text: "World"/,
  },
];

runCases("text validators", cases);
