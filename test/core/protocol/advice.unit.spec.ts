import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ADVICE_THRESHOLD, adviceFor, type QualitySample } from "../../../src/core/protocol/advice.ts";

const sample = (
  compliance: number,
  quality: number,
  critique = `c${compliance}/q${quality}`,
): QualitySample => ({
  compliance,
  quality,
  critique,
});

describe("adviceFor: when advice is given", () => {
  const cases: Array<{ name: string; samples: QualitySample[]; advice: boolean }> = [
    { name: "no history", samples: [], advice: false },
    { name: "one excellent critique", samples: [sample(9, 9)], advice: false },
    { name: "averages exactly at the threshold", samples: [sample(7, 8), sample(8, 7)], advice: false },
    { name: "one low critique", samples: [sample(5, 5)], advice: true },
    { name: "low compliance, high quality", samples: [sample(6, 10), sample(7, 10)], advice: true },
    { name: "high compliance, low quality", samples: [sample(10, 6), sample(10, 7)], advice: true },
    { name: "an average just below the threshold", samples: [sample(8, 7), sample(8, 7.4)], advice: true },
    {
      name: "old low critiques followed by five good ones (only the recent five count)",
      samples: [sample(2, 2), sample(2, 2), ...Array.from({ length: 5 }, () => sample(9, 9))],
      advice: false,
    },
    {
      name: "old good critiques followed by recent low ones",
      samples: [...Array.from({ length: 5 }, () => sample(9, 9)), sample(5, 5), sample(5, 5), sample(6, 6)],
      advice: true,
    },
  ];
  for (const c of cases) {
    it(`given ${c.name}, then ${c.advice ? "advice is given" : "there is no advice"}`, () => {
      const lines = adviceFor(c.samples);
      assert.equal(lines.length > 0, c.advice, lines.join("\n"));
      if (c.advice)
        assert.ok(
          lines.every((l) => l.length > 0),
          "no empty lines",
        );
    });
  }

  it("given the threshold, then it is the brief's 7.5", () => {
    assert.equal(ADVICE_THRESHOLD, 7.5);
  });
});

describe("adviceFor: what the advice says", () => {
  it("given low compliance only, then the lines name compliance and the averages but not quality advice", () => {
    const lines = adviceFor([sample(6, 9), sample(7, 9)]);
    assert.match(lines[0] ?? "", /^IMPROVEMENT_ADVICE: .*compliance 6\.5 and quality 9\.0/);
    assert.ok(
      lines.some((l) => /^IMPROVEMENT_ADVICE: follow every stated requirement/.test(l)),
      "compliance advice",
    );
    assert.ok(!lines.some((l) => /raise the quality/.test(l)), "no quality advice");
  });

  it("given low quality only, then the lines give quality advice but not compliance advice", () => {
    const lines = adviceFor([sample(9, 5)]);
    assert.ok(
      lines.some((l) => /^IMPROVEMENT_ADVICE: raise the quality/.test(l)),
      "quality advice",
    );
    assert.ok(!lines.some((l) => /follow every stated requirement/.test(l)), "no compliance advice");
  });

  it("given low critiques, then short excerpts of the worst recent critiques follow, one line each", () => {
    const lines = adviceFor([
      sample(7, 7, "fine but long"),
      sample(3, 4, "misses the spec:\nno takeaways at all"),
      sample(5, 6, "too generic"),
      sample(9, 9, "great"),
    ]);
    const at = lines.indexOf("RECENT CRITIQUES:");
    assert.ok(at > 0, lines.join("\n"));
    assert.deepEqual(lines.slice(at + 1), [
      "- misses the spec: no takeaways at all",
      "- too generic",
      "- fine but long",
    ]);
  });

  it("given a very long critique, then its excerpt is cut to about 200 characters", () => {
    const lines = adviceFor([sample(4, 4, "word ".repeat(200))]);
    const excerpt = lines.at(-1) ?? "";
    assert.ok(excerpt.startsWith("- word word"), excerpt);
    assert.ok(excerpt.length <= 205, `excerpt is ${excerpt.length} characters`);
    assert.ok(excerpt.endsWith("…"), "cut excerpts end with an ellipsis");
  });
});
