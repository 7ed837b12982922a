// Code validators beyond llm_call's table (llm-call-cases.ts): given fenced or bare code, when code
// or python runs, then the languages we add (javascript, typescript, json), the fences llm_call's
// pattern misses (untagged, ```py) and the empty cases behave as documented.
import { type Case, fence, runCases } from "./cases.ts";

const cases: Case[] = [
  {
    name: "an untagged fence is read as the language",
    spec: { type: "code" },
    response: fence("", "def f(x):\n    return x"),
    valid: true,
  },
  {
    name: "a ```py fence and the py alias",
    spec: { type: "code", params: { language: "py" } },
    response: fence("py", "x = [i for i in range(3)]"),
    valid: true,
  },
  {
    name: "broken python in a block",
    spec: { type: "code", params: { language: "python" } },
    response: fence("python", "def f(:\n    pass"),
    valid: false,
    error: /^Invalid python code: Block 1: Syntax error at line 1: /,
  },
  {
    name: "only blocks in another language: the whole response is parsed, and the error says so",
    spec: { type: "code" },
    response: fence("js", "let a = 1;"),
    valid: false,
    error: /no ```python block, so the whole response was parsed; found: javascript\)$/,
  },
  {
    name: "an empty block",
    spec: { type: "code" },
    response: `${fence("python", "x = 1")}\`\`\`python\n\`\`\``,
    valid: false,
    error: /Block 2: the block is empty/,
  },
  {
    name: "js block via alias",
    spec: { type: "code", params: { language: "js" } },
    response: fence("js", "const x = await f();"),
    valid: true,
  },
  {
    name: "broken javascript",
    spec: { type: "code", params: { language: "javascript" } },
    response: fence("javascript", "const x = ;"),
    valid: false,
    error: /^Invalid javascript code: Block 1: JavaScript syntax error: Unexpected token \(1:10\)/,
  },
  {
    name: "ts block, plain JS",
    spec: { type: "code", params: { language: "ts" } },
    response: fence("ts", "export const x = 1;"),
    valid: true,
  },
  {
    name: "typescript types are not parsed",
    spec: { type: "code", params: { language: "typescript" } },
    response: fence("typescript", "const x: number = 1;"),
    valid: false,
    error: /TypeScript is checked as JavaScript/,
  },
  {
    name: "json block",
    spec: { type: "code", params: { language: "json" } },
    response: fence("json", '{"a": 1}'),
    valid: true,
  },
  {
    name: "broken json",
    spec: { type: "code", params: { language: "json" } },
    response: fence("json", "{"),
    valid: false,
    error: /Invalid JSON/,
  },
  {
    name: "unclosed bracket, whole response",
    spec: { type: "python" },
    response: "x = (1,\n",
    valid: false,
    error: /^Invalid python code: Block 1: Syntax error at line 1: '\(' was never closed$/,
  },
  {
    name: "empty",
    spec: { type: "code" },
    response: "",
    valid: false,
    error: /^No python code found in the response$/,
  },
];

runCases("code validators", cases);
