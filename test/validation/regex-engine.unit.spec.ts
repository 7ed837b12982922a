// Given user patterns, when the regex engine compiles and runs them, then they run on RE2 (linear
// time: the pattern that froze the fleet returns at once on a long input, in-process), only
// lookaheads and backreferences fall back to backtracking, and Python's `re` meanings and flags are
// kept: the corpus below is checked against the local python3's re.search when there is one.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { regex, schema } from "../../src/validation/index.ts";
import { PyFlag } from "../../src/validation/python-regex.ts";
import { compileEcmaPattern, compilePythonPattern } from "../../src/validation/regex-engine.ts";

const HOSTILE = "([A-Za-z0-9]+ ?)+#";
const LONG = "word ".repeat(50_000);

describe("the fleet-freezing pattern", () => {
  it("compiles to RE2 and answers on a 250,000-character input", () => {
    const compiled = compilePythonPattern(HOSTILE, 0);
    assert.ok(compiled.ok);
    assert.equal(compiled.pattern.engine, "re2");
    assert.equal(compiled.pattern.test(LONG), false);
    assert.equal(compiled.pattern.test(`${LONG}#`), true);
  });

  it("fails the regex validator in-process instead of hanging it", async () => {
    const result = await regex(LONG, { pattern: HOSTILE }, {});
    assert.equal(result.valid, false);
    assert.match(result.error ?? "", /^Response does not match pattern: /);
  });

  it("in a JSON Schema pattern, too", async () => {
    const result = await schema(JSON.stringify(LONG), { schema: { type: "string", pattern: HOSTILE } }, {});
    assert.equal(result.valid, false);
    assert.match(result.error ?? "", /must match pattern/);
    const ecma = compileEcmaPattern(HOSTILE);
    assert.ok(ecma.ok && ecma.pattern.engine === "re2");
  });
});

describe("engine choice", () => {
  const table: Array<[string, "re2" | "backtracking"]> = [
    ["^\\d+$", "re2"],
    ["(?P<w>ab)", "re2"],
    ["(?<=a)b", "re2"],
    ["(?i)x(?-i:y)", "re2"],
    ["a(?=b)", "backtracking"],
    ["a(?!b)", "backtracking"],
    ["(a)\\1", "backtracking"],
    ["(?P<w>a)(?P=w)", "backtracking"],
  ];
  for (const [pattern, engine] of table) {
    it(`${pattern} → ${engine}`, () => {
      const compiled = compilePythonPattern(pattern, 0);
      assert.ok(compiled.ok, JSON.stringify(compiled));
      assert.equal(compiled.pattern.engine, engine);
    });
  }

  it("refuses what neither engine runs, as Python names it", () => {
    assert.deepEqual(compilePythonPattern("(?>a)", 0), {
      ok: false,
      error: "atomic groups (?>…) are not supported at position 0",
    });
    assert.deepEqual(compilePythonPattern("a*+", 0), {
      ok: false,
      error: "possessive quantifiers are not supported at position 2",
    });
  });
});

type RegexCase = [pattern: string, flags: number, text: string, matches: boolean];

// Python `re.search(pattern, text, flags) is not None`, case by case.
const CORPUS: RegexCase[] = [
  ["\\d{3}", 0, "code 123!", true],
  ["^\\d+$", 0, "42\n", true],
  ["^\\d+$", 0, "42\n\n", false],
  ["42\\Z", 0, "42\n", false],
  ["\\A42", 0, "x\n42", false],
  ["^42", PyFlag.MULTILINE, "x\n42", true],
  ["x$", PyFlag.MULTILINE, "x\ny", true],
  ["^b$", 0, "a\nb\nc", false],
  ["a.b", 0, "a\nb", false],
  ["a.b", PyFlag.DOTALL, "a\nb", true],
  ["a.b", 0, "a\rb", true],
  ["(?s)a.b", 0, "a\nb", true],
  ["(?s:a.)b", 0, "a\nb", true],
  ["hello", PyFlag.IGNORECASE, "HeLLo", true],
  ["(?i)straße", 0, "STRASSE", false],
  ["(?i)é", 0, "É", true],
  ["^\\w+$", 0, "café", true],
  ["^\\w+$", PyFlag.ASCII, "café", false],
  ["^\\d$", 0, "٣", true],
  ["^\\d$", PyFlag.ASCII, "٣", false],
  ["^\\s$", 0, "\u00a0", true],
  ["^\\s$", 0, "\v", true],
  ["[^\\W\\d]+", 0, "abc", true],
  ["^[\\w-]+$", 0, "a-b_c", true],
  ["a b # comment", PyFlag.VERBOSE, "ab", true],
  ["a\\ b", PyFlag.VERBOSE, "a b", true],
  ["[ ]", PyFlag.VERBOSE, " ", true],
  ["^a{,2}b$", 0, "aab", true],
  ["^a{,2}b$", 0, "aaab", false],
  ["^a{2,}$", 0, "aaa", true],
  ["a{b", 0, "a{b", true],
  ["x{}", 0, "x{}", true],
  ["\\u00e9", 0, "é", true],
  ["\\x41\\101\\0", 0, "AA\u0000", true],
  ["[]a]", 0, "]", true],
  ["[[:alpha:]]", 0, "a", false],
  ["(?P<w>ab)(?P=w)", 0, "xabab", true],
  ["(a|b)\\1", 0, "ab", false],
  ["(?<=a)b", 0, "ab", true],
  ["(?<!a)b", 0, "ab", false],
  ["^(?=.*\\d)(?=.*[a-z]).{6,}$", 0, "abc123", true],
  ["^(?=.*\\d)(?=.*[a-z]).{6,}$", 0, "abcdef", false],
  ["(?#a comment)x", 0, "x", true],
  ["\\bword\\b", 0, "a word here", true],
  ["\\$\\d+\\.\\d{2}", 0, "costs $3.50", true],
  ["[a-z]+@[a-z]+\\.com", PyFlag.IGNORECASE, "Mail: Ada@Example.COM", true],
  ["", 0, "anything", true],
  ["😀+", 0, "x😀😀", true],
];

describe("Python re semantics", () => {
  for (const [pattern, flags, text, matches] of CORPUS) {
    it(`re.search(${JSON.stringify(pattern)}, ${JSON.stringify(text)}, ${flags}) ${matches ? "matches" : "does not"}`, () => {
      const compiled = compilePythonPattern(pattern, flags);
      assert.ok(compiled.ok, JSON.stringify(compiled));
      assert.equal(compiled.pattern.test(text), matches);
    });
  }
});

const hasPython = spawnSync("python3", ["--version"]).status === 0;

describe("the corpus is Python's own", { skip: hasPython ? false : "no python3 on this machine" }, () => {
  it("python3's re.search agrees with every case", () => {
    const script =
      "import json,re,sys\ncases=json.load(sys.stdin)\nprint(json.dumps([re.search(p,t,f) is not None for p,f,t,_ in cases]))";
    const r = spawnSync("python3", ["-c", script], {
      input: JSON.stringify(CORPUS),
      encoding: "utf8",
      env: { ...process.env, PYTHONIOENCODING: "utf-8" },
    });
    assert.equal(r.status, 0, r.stderr);
    const verdicts = JSON.parse(r.stdout) as boolean[];
    const disagree = CORPUS.filter((c, i) => verdicts[i] !== c[3]).map((c) => JSON.stringify(c));
    assert.deepEqual(disagree, []);
  });
});
