// Given LLM output, when fenced blocks, JSON, regexes or SQL literals are read from it, then the
// helpers the validators share behave as their comments say.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileRegex } from "../../src/validation/regex.ts";
import { stripSqlLiterals } from "../../src/validation/sql.ts";
import { fencedBlocks, parseJsonResponse } from "../../src/validation/text.ts";

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

describe("parseJsonResponse", () => {
  it("prefers the bare response, then a json block", () => {
    assert.deepEqual(parseJsonResponse("[1]"), { ok: true, value: [1] });
    assert.deepEqual(parseJsonResponse('Sure:\n```json\n{"a":1}\n```\nDone.'), { ok: true, value: { a: 1 } });
  });

  it("says why an empty response is not JSON", () => {
    assert.deepEqual(parseJsonResponse(""), { ok: false, error: "Response is empty, so it is not JSON" });
  });
});

describe("compileRegex", () => {
  it("maps Python re flag numbers (I | M | S) to JavaScript flags", () => {
    const compiled = compileRegex("a", 2 | 8 | 16);
    assert.ok(compiled.ok);
    assert.equal(compiled.ok && compiled.regex.flags, "ims");
  });

  it("merges a leading inline flag with the same flag given in params", () => {
    const compiled = compileRegex("(?i)a", "i");
    assert.equal(compiled.ok && compiled.regex.flags, "i");
  });

  it("rejects unknown Python flag bits", () => {
    assert.deepEqual(compileRegex("a", 1), {
      ok: false,
      error: "params.flags: unknown Python re flag bits 1",
    });
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
