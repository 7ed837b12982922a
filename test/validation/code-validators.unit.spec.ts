// Code validators: given fenced code (or a bare Python response), when code or python runs, then
// parseable code passes and a syntax error fails naming the block and position.
import { type Case, fence, runCases } from "./cases.ts";

const cases: Case[] = [
  // code
  {
    name: "python block",
    spec: { type: "code", params: { language: "python" } },
    response: fence("python", "def f(x):\n    return x"),
    valid: true,
  },
  {
    name: "js block via alias",
    spec: { type: "code", params: { language: "js" } },
    response: fence("js", "const x = await f();"),
    valid: true,
  },
  {
    name: "ts block, plain JS",
    spec: { type: "code", params: { language: "ts" } },
    response: fence("ts", "export const x = 1;"),
    valid: true,
  },
  {
    name: "json block",
    spec: { type: "code", params: { language: "json" } },
    response: fence("json", '{"a": 1}'),
    valid: true,
  },
  {
    name: "each block in its language",
    spec: { type: "code" },
    response: fence("py", "x = 1") + fence("bash", "ls -la |"),
    valid: true,
  },
  {
    name: "broken python",
    spec: { type: "code", params: { language: "python" } },
    response: fence("python", "def f(:\n    pass"),
    valid: false,
    error: /Block 1 \(python\): Python syntax error at line 1/,
  },
  {
    name: "broken javascript",
    spec: { type: "code", params: { language: "javascript" } },
    response: fence("javascript", "const x = ;"),
    valid: false,
    error: /JavaScript syntax error: Unexpected token \(1:10\)/,
  },
  {
    name: "typescript types are not parsed",
    spec: { type: "code", params: { language: "typescript" } },
    response: fence("typescript", "const x: number = 1;"),
    valid: false,
    error: /TypeScript is checked as JavaScript/,
  },
  {
    name: "broken json",
    spec: { type: "code", params: { language: "json" } },
    response: fence("json", "{"),
    valid: false,
    error: /Invalid JSON/,
  },
  {
    name: "no fenced block",
    spec: { type: "code", params: { language: "python" } },
    response: "x = 1",
    valid: false,
    error: /No fenced code block/,
  },
  {
    name: "no block in the language",
    spec: { type: "code", params: { language: "python" } },
    response: fence("js", "let a = 1;"),
    valid: false,
    error: /No ```python fenced code block found \(found: javascript\)/,
  },
  {
    name: "empty block",
    spec: { type: "code", params: { language: "js" } },
    response: "```js\n```",
    valid: false,
    error: /empty/,
  },
  // python
  {
    name: "whole response",
    spec: { type: "python" },
    response: "import os\nprint(os.getcwd())\n",
    valid: true,
  },
  {
    name: "python block amid prose",
    spec: { type: "python" },
    response: fence("python", "class A:\n    pass"),
    valid: true,
  },
  {
    name: "unclosed bracket",
    spec: { type: "python" },
    response: "x = (1,\n",
    valid: false,
    error: /Python syntax error: unexpected end of input at line 2/,
  },
  {
    name: "bad block",
    spec: { type: "python" },
    response: fence("py", "for i in range(3)\n    print(i)"),
    valid: false,
    error: /Block 1: Python syntax error/,
  },
  { name: "empty", spec: { type: "python" }, response: "  ", valid: false, error: /No Python code/ },
];

runCases("code validators", cases);
