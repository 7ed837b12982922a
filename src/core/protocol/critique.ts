// Strict parser for critic output: three integer scores, then "Critique:" and free text.

export type Critique = { compliance: number; uniqueness: number; quality: number; critique: string };
export type CritiqueParse = { ok: true; value: Critique } | { ok: false; reason: string };

const SCORE_NAMES = ["compliance", "uniqueness", "quality"] as const;

/**
 * Parse `compliance: N`, `uniqueness: N`, `quality: N` (integers 1-10, in that order, one per line)
 * followed by a line starting `Critique:`. Everything after `Critique:` is free text, so colons in
 * it cannot break the parse. Anything else is unparseable, with the reason.
 */
export function parseCritique(text: string): CritiqueParse {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  let i = 0;
  const next = () => {
    while (i < lines.length && (lines[i] ?? "").trim() === "") i++;
    return i < lines.length ? (lines[i++] ?? "").trim() : undefined;
  };
  const scores: number[] = [];
  for (const name of SCORE_NAMES) {
    const line = next();
    if (line === undefined) return { ok: false, reason: `missing "${name}: N" line` };
    const m = /^([A-Za-z]+)\s*:\s*(\S+)$/.exec(line);
    if (!m || m[1]?.toLowerCase() !== name) {
      return { ok: false, reason: `expected "${name}: N", got "${line.slice(0, 80)}"` };
    }
    const raw = m[2] ?? "";
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 1 || n > 10) {
      return { ok: false, reason: `${name} must be an integer from 1 to 10, got "${raw}"` };
    }
    scores.push(n);
  }
  const head = next();
  const cm = head === undefined ? null : /^critique\s*:(.*)$/i.exec(head);
  if (!cm) return { ok: false, reason: `expected a "Critique:" line after the scores` };
  const critique = [cm[1] ?? "", ...lines.slice(i)].join("\n").trim();
  const [compliance = 0, uniqueness = 0, quality = 0] = scores;
  return { ok: true, value: { compliance, uniqueness, quality, critique } };
}

/** An iteration passes when quality and compliance are both 8 or more. */
export const PASS_SCORE = 8;

/** Whether a critique passes. */
export function critiquePasses(c: Critique): boolean {
  return c.quality >= PASS_SCORE && c.compliance >= PASS_SCORE;
}
