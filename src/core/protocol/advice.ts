// Prompt enhancement from quality history: advice when recent scores for a spec fall below 7.5.

/** One critique's scores and text, as the orchestrator keeps them per spec. */
export type QualitySample = {
  compliance: number;
  quality: number;
  critique: string;
  /** The critique.recorded event's id: a redelivered critique is not counted twice. */
  id?: string;
};

export const ADVICE_THRESHOLD = 7.5;
const RECENT = 5;

/** IMPROVEMENT_ADVICE lines and short critique excerpts, or nothing when recent scores are good. */
export function adviceFor(samples: readonly QualitySample[]): string[] {
  const recent = samples.slice(-RECENT);
  if (recent.length === 0) return [];
  const avg = (f: (s: QualitySample) => number) => recent.reduce((a, s) => a + f(s), 0) / recent.length;
  const compliance = avg((s) => s.compliance);
  const quality = avg((s) => s.quality);
  if (compliance >= ADVICE_THRESHOLD && quality >= ADVICE_THRESHOLD) return [];
  const lines = [
    `IMPROVEMENT_ADVICE: recent outputs for this spec averaged compliance ${compliance.toFixed(1)} and quality ${quality.toFixed(1)} (target ${ADVICE_THRESHOLD} or more).`,
  ];
  if (compliance < ADVICE_THRESHOLD) {
    lines.push(
      "IMPROVEMENT_ADVICE: follow every stated requirement of the spec exactly (length, format, structure).",
    );
  }
  if (quality < ADVICE_THRESHOLD) {
    lines.push(
      "IMPROVEMENT_ADVICE: raise the quality: be specific, accurate and well organised; cut filler.",
    );
  }
  const worst = [...recent].sort(
    (a, b) => Math.min(a.compliance, a.quality) - Math.min(b.compliance, b.quality),
  );
  lines.push("RECENT CRITIQUES:");
  for (const s of worst.slice(0, 3)) lines.push(`- ${oneLine(s.critique, 200)}`);
  return lines;
}

/** One-line summaries of earlier iterations (newest 10), for a new iteration's prompt. */
export function earlierSummaries(
  iterations: Iterable<{ n: number; summary: string | undefined }>,
  before: number,
): string[] {
  return [...iterations]
    .filter((i) => i.n < before && i.summary)
    .slice(-10)
    .map((i) => `iteration ${i.n}: ${oneLine(i.summary ?? "", 160)}`);
}

function oneLine(text: string, max: number): string {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}
