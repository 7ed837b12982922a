// Near-duplicate detection: Jaccard similarity of word 3-shingles.

/** Similarity at or above which an output counts as a near-duplicate of an earlier one. */
export const NEAR_DUPLICATE_THRESHOLD = 0.8;

/** The set of word n-grams of a text (lower-cased, punctuation dropped). */
export function shingles(text: string, n = 3): Set<string> {
  const words = text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]+/gu, " ")
    .split(/\s+/)
    .filter(Boolean);
  const out = new Set<string>();
  if (words.length < n) {
    if (words.length > 0) out.add(words.join(" "));
    return out;
  }
  for (let i = 0; i + n <= words.length; i++) out.add(words.slice(i, i + n).join(" "));
  return out;
}

/** Jaccard similarity |A ∩ B| / |A ∪ B| of two texts' shingle sets (0 when both are empty). */
export function jaccard(a: string, b: string): number {
  const sa = shingles(a);
  const sb = shingles(b);
  if (sa.size === 0 && sb.size === 0) return 0;
  let inter = 0;
  for (const s of sa) if (sb.has(s)) inter++;
  return inter / (sa.size + sb.size - inter);
}

/** The most similar earlier text and its similarity, or undefined when there is none. */
export function mostSimilar(text: string, earlier: ReadonlyArray<{ label: string; text: string }>) {
  let best: { label: string; similarity: number } | undefined;
  for (const e of earlier) {
    const similarity = jaccard(text, e.text);
    if (!best || similarity > best.similarity) best = { label: e.label, similarity };
  }
  return best;
}
