// Given LLM output, when fenced blocks, JSON or SQL literals are read from it, then the
// helpers the validators share behave as their comments say.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stripSqlLiterals } from "../../src/validation/sql.ts";
import { extractJson, fencedBlocks } from "../../src/validation/text.ts";

describe("fencedBlocks", () => {
  const table: Array<[string, string, Array<{ lang: string; code: string }>]> = [
    ["none", "just text", []],
    ["tag normalised", "```Py\nx = 1\n```", [{ lang: "python", code: "x = 1" }]],
    [
      "untagged and tilde",
      "```\na\n```\n~~~js\nb\n~~~",
      [
        { lang: "", code: "a" },
        { lang: "javascript", code: "b" },
      ],
    ],
    [
      "longer fence holds a shorter one",
      "````md\n```\ninner\n```\n````",
      [{ lang: "md", code: "```\ninner\n```" }],
    ],
    ["unclosed runs to the end", "```sql\nSELECT 1", [{ lang: "sql", code: "SELECT 1" }]],
    ["CRLF", "```json\r\n{}\r\n```\r\n", [{ lang: "json", code: "{}" }]],
  ];
  for (const [name, text, blocks] of table) {
    it(name, () => assert.deepEqual(fencedBlocks(text), blocks));
  }
});

describe("extractJson", () => {
  const table: Array<[string, string, ReturnType<typeof extractJson>]> = [
    ["bare", " [1] ", { ok: true, value: [1] }],
    ["a json fence", 'Sure:\n```json\n{"a":1}\n```\nDone.', { ok: true, value: { a: 1 } }],
    ["amid prose, outermost brackets", 'Result: {"a": [1]} done', { ok: true, value: { a: [1] } }],
    ["the first opener with a closer after it", ']{ "a":1 }', { ok: true, value: { a: 1 } }],
    ["empty", "", { ok: false, error: "Response is empty, so it holds no JSON" }],
  ];
  for (const [name, text, parsed] of table) {
    it(name, () => assert.deepEqual(extractJson(text), parsed));
  }

  it("does not repair broken JSON (llm_call's json_repair would)", () => {
    assert.equal(extractJson("{'a': 1,}").ok, false);
  });
});

describe("stripSqlLiterals", () => {
  it("blanks comments, strings, quoted identifiers and dollar quotes", () => {
    const sql = "SELECT 'drop', \"delete\" -- truncate\n/* alter */ $$grant$$, $x$revoke$x$ FROM t";
    assert.doesNotMatch(stripSqlLiterals(sql), /drop|delete|truncate|alter|grant|revoke/i);
    assert.match(stripSqlLiterals(sql), /^SELECT [\s\S]* FROM t$/);
  });

  it("never treats a backslash as escaping a quote", () => {
    assert.match(stripSqlLiterals("SELECT 'a\\'; DROP TABLE x; --'"), /DROP TABLE x/);
  });
});
