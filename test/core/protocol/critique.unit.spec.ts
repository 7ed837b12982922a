import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { critiquePasses, parseCritique } from "../../../src/core/protocol/critique.ts";

const ok = (compliance: number, uniqueness: number, quality: number, critique: string) => ({
  ok: true as const,
  value: { compliance, uniqueness, quality, critique },
});

describe("parseCritique: valid critiques", () => {
  const cases: Array<{ name: string; text: string; want: ReturnType<typeof ok> }> = [
    {
      name: "the plain format",
      text: "compliance: 9\nuniqueness: 8\nquality: 7\nCritique: solid, but the intro drags.",
      want: ok(9, 8, 7, "solid, but the intro drags."),
    },
    {
      name: "colons in the critique text",
      text: "compliance: 8\nuniqueness: 8\nquality: 8\nCritique: a: b: c",
      want: ok(8, 8, 8, "a: b: c"),
    },
    {
      name: "times and ratios in the critique text",
      text: "compliance: 9\nuniqueness: 8\nquality: 9\nCritique: Good: clear. Watch: the ratio 2:1 and 10:30.",
      want: ok(9, 8, 9, "Good: clear. Watch: the ratio 2:1 and 10:30."),
    },
    {
      name: "a multi-line critique whose lines look like scores",
      text: [
        "compliance: 6",
        "uniqueness: 7",
        "quality: 5",
        "Critique: several issues:",
        "quality: the second paragraph repeats the first",
        "compliance: 400 words, not 600",
        "Note: fix both.",
      ].join("\n"),
      want: ok(
        6,
        7,
        5,
        "several issues:\nquality: the second paragraph repeats the first\ncompliance: 400 words, not 600\nNote: fix both.",
      ),
    },
    {
      name: "the critique text starting on the next line",
      text: "compliance: 9\nuniqueness: 9\nquality: 9\nCritique:\nNothing to add: it works.",
      want: ok(9, 9, 9, "Nothing to add: it works."),
    },
    {
      name: "CRLF line ends, blank lines, extra spaces and capitalised names",
      text: "\r\n  Compliance : 10\r\n\r\nUNIQUENESS:1\r\nquality:  10  \r\ncritique:   fine  \r\n",
      want: ok(10, 1, 10, "fine"),
    },
    {
      name: "an empty critique text",
      text: "compliance: 8\nuniqueness: 8\nquality: 8\nCritique:",
      want: ok(8, 8, 8, ""),
    },
  ];
  for (const c of cases) {
    it(`given ${c.name}, then it parses`, () => {
      assert.deepEqual(parseCritique(c.text), c.want);
    });
  }
});

describe("parseCritique: unparseable critiques", () => {
  const cases: Array<{ name: string; text: string; reason: RegExp }> = [
    { name: "empty text", text: "", reason: /missing "compliance: N"/ },
    {
      name: "prose instead of scores",
      text: "I think the output is fine overall, nice work.",
      reason: /expected "compliance: N", got "I think the output/,
    },
    {
      name: "extra prose before the scores",
      text: "Here is my review:\ncompliance: 9\nuniqueness: 8\nquality: 9\nCritique: ok",
      reason: /expected "compliance: N", got "Here is my review:"/,
    },
    {
      name: "a score above 10",
      text: "compliance: 11\nuniqueness: 8\nquality: 9\nCritique: ok",
      reason: /compliance must be an integer from 1 to 10, got "11"/,
    },
    {
      name: "a score of 0",
      text: "compliance: 9\nuniqueness: 0\nquality: 9\nCritique: ok",
      reason: /uniqueness must be an integer from 1 to 10, got "0"/,
    },
    {
      name: "a negative score",
      text: "compliance: 9\nuniqueness: 8\nquality: -3\nCritique: ok",
      reason: /quality must be an integer from 1 to 10, got "-3"/,
    },
    {
      name: "a fractional score",
      text: "compliance: 7.5\nuniqueness: 8\nquality: 9\nCritique: ok",
      reason: /compliance must be an integer from 1 to 10, got "7.5"/,
    },
    {
      name: "a score out of ten",
      text: "compliance: 9/10\nuniqueness: 8\nquality: 9\nCritique: ok",
      reason: /compliance must be an integer from 1 to 10, got "9\/10"/,
    },
    {
      name: "a word for a score",
      text: "compliance: nine\nuniqueness: 8\nquality: 9\nCritique: ok",
      reason: /compliance must be an integer/,
    },
    {
      name: "a score followed by prose",
      text: "compliance: 9 mostly\nuniqueness: 8\nquality: 9\nCritique: ok",
      reason: /expected "compliance: N", got "compliance: 9 mostly"/,
    },
    {
      name: "scores in the wrong order",
      text: "compliance: 9\nquality: 9\nuniqueness: 8\nCritique: ok",
      reason: /expected "uniqueness: N", got "quality: 9"/,
    },
    {
      name: "a missing score line",
      text: "compliance: 9\nuniqueness: 8\nCritique: ok",
      reason: /expected "quality: N", got "Critique: ok"/,
    },
    {
      name: "scores only, no critique line",
      text: "compliance: 9\nuniqueness: 8\nquality: 9",
      reason: /expected a "Critique:" line/,
    },
    {
      name: "prose where the critique line belongs",
      text: "compliance: 9\nuniqueness: 8\nquality: 9\nOverall: good",
      reason: /expected a "Critique:" line/,
    },
    {
      name: "scores on one line",
      text: "compliance: 9, uniqueness: 8, quality: 9\nCritique: ok",
      reason: /expected "compliance: N"/,
    },
  ];
  for (const c of cases) {
    it(`given ${c.name}, then it is unparseable with a reason`, () => {
      const r = parseCritique(c.text);
      assert.equal(r.ok, false, `parsed: ${JSON.stringify(r)}`);
      if (!r.ok) assert.match(r.reason, c.reason);
    });
  }
});

describe("critiquePasses", () => {
  const cases: Array<[number, number, number, boolean]> = [
    [8, 1, 8, true],
    [10, 10, 10, true],
    [7, 10, 10, false],
    [10, 10, 7, false],
    [8, 10, 7, false],
  ];
  for (const [compliance, uniqueness, quality, passes] of cases) {
    it(`given compliance ${compliance}, uniqueness ${uniqueness}, quality ${quality}, then it ${passes ? "passes" : "fails"}`, () => {
      assert.equal(critiquePasses({ compliance, uniqueness, quality, critique: "" }), passes);
    });
  }
});
