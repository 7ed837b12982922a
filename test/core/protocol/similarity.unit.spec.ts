import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  jaccard,
  mostSimilar,
  NEAR_DUPLICATE_THRESHOLD,
  shingles,
} from "../../../src/core/protocol/similarity.ts";

const ESSAY =
  "Queues decouple producers from consumers so that a burst of work can be absorbed and processed " +
  "at a steady pace, while retries with backoff keep a flaky dependency from turning into an outage.";

describe("shingles", () => {
  const cases: Array<{ name: string; text: string; n?: number; want: string[] }> = [
    { name: "an empty text", text: "", want: [] },
    { name: "punctuation only", text: " ... !!! ", want: [] },
    { name: "fewer words than n", text: "Two words", want: ["two words"] },
    { name: "exactly n words", text: "one two three", want: ["one two three"] },
    {
      name: "four words, case and punctuation dropped",
      text: "One, TWO; three: four!",
      want: ["one two three", "two three four"],
    },
    { name: "n = 2", text: "a b c", n: 2, want: ["a b", "b c"] },
    { name: "repeated shingles counted once", text: "x y z x y z", want: ["x y z", "y z x", "z x y"] },
    { name: "non-Latin letters kept", text: "größe über maß", want: ["größe über maß"] },
  ];
  for (const c of cases) {
    it(`given ${c.name}, then the shingles are [${c.want.join(" | ")}]`, () => {
      assert.deepEqual([...shingles(c.text, c.n)].sort(), [...c.want].sort());
    });
  }
});

describe("jaccard", () => {
  const cases: Array<{ name: string; a: string; b: string; want: number }> = [
    { name: "two empty texts", a: "", b: "", want: 0 },
    { name: "one empty text", a: ESSAY, b: "", want: 0 },
    { name: "the same text", a: ESSAY, b: ESSAY, want: 1 },
    {
      name: "the same words in other case and punctuation",
      a: ESSAY,
      b: ESSAY.toUpperCase().replaceAll(",", ""),
      want: 1,
    },
    {
      name: "texts sharing no three-word run",
      a: "alpha beta gamma delta",
      b: "one two three four",
      want: 0,
    },
    // {a b c, b c d} vs {b c d, c d e}: 1 shared of 3.
    { name: "half-overlapping texts", a: "a b c d", b: "b c d e", want: 1 / 3 },
  ];
  for (const c of cases) {
    it(`given ${c.name}, then the similarity is ${c.want.toFixed(3)}`, () => {
      assert.ok(Math.abs(jaccard(c.a, c.b) - c.want) < 1e-9, `got ${jaccard(c.a, c.b)}`);
    });
  }

  it("given any two texts, then the similarity is symmetric and within [0, 1]", () => {
    const texts = [ESSAY, "a b c d", "b c d e", "", `${ESSAY} And one more sentence at the end.`];
    for (const a of texts) {
      for (const b of texts) {
        const s = jaccard(a, b);
        assert.equal(s, jaccard(b, a));
        assert.ok(s >= 0 && s <= 1, `similarity ${s}`);
      }
    }
  });

  it("given a long text with one word changed, then it is a near-duplicate", () => {
    const words = ESSAY.split(" ");
    const longer = [...words, ...words, ...words].join(" ");
    const edited = longer.replace("steady", "constant");
    assert.ok(jaccard(longer, edited) >= NEAR_DUPLICATE_THRESHOLD, `similarity ${jaccard(longer, edited)}`);
  });

  it("given a rewrite on the same topic, then it is not a near-duplicate", () => {
    const rewrite =
      "A message queue lets a slow consumer keep up with a fast producer; when a downstream service " +
      "fails, retrying later with growing delays avoids hammering it while it recovers.";
    assert.ok(jaccard(ESSAY, rewrite) < NEAR_DUPLICATE_THRESHOLD, `similarity ${jaccard(ESSAY, rewrite)}`);
  });
});

describe("mostSimilar", () => {
  it("given no earlier texts, then there is no match", () => {
    assert.equal(mostSimilar(ESSAY, []), undefined);
  });

  it("given several earlier texts, then the most similar one is named with its similarity", () => {
    const best = mostSimilar(ESSAY, [
      { label: "iteration 1", text: "something else entirely, about cats and dogs" },
      { label: "iteration 2", text: ESSAY },
      { label: "iteration 3", text: ESSAY.slice(0, 80) },
    ]);
    assert.deepEqual(best, { label: "iteration 2", similarity: 1 });
  });

  it("given only unrelated earlier texts, then the best is below the near-duplicate threshold", () => {
    const best = mostSimilar(ESSAY, [{ label: "iteration 1", text: "cats and dogs living together" }]);
    assert.equal(best?.label, "iteration 1");
    assert.ok((best?.similarity ?? 1) < NEAR_DUPLICATE_THRESHOLD, `similarity ${best?.similarity}`);
  });
});
