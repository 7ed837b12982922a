// The handoff protocol: an agent that runs out of context ends its answer with a line holding only
// HANDOFF_REQUIRED, ideally after a `REMAINING_WORK:` summary, so a continuation can pick up the rest.

import { HANDOFF_MARKER, REMAINING_WORK_PREFIX } from "./labels.ts";

export type HandoffDetection = {
  /** True only when the marker stands alone on the last non-empty line. */
  handoff: boolean;
  /** The summary of the work still to do; empty when there is no handoff. */
  remaining: string;
  /** The output without the marker line (the whole output when there is no handoff). */
  body: string;
};

/** Splits an agent answer into its body and, when it ends with the handoff marker, the remaining work. */
export function detectHandoff(output: string): HandoffDetection {
  const lines = output.split(/\r?\n/);
  const last = lastNonEmptyIndex(lines);
  if (last < 0 || lines[last]?.trim() !== HANDOFF_MARKER) {
    return { handoff: false, remaining: "", body: output };
  }
  const bodyLines = lines.slice(0, last);
  return { handoff: true, remaining: remainingWork(bodyLines), body: bodyLines.join("\n").trimEnd() };
}

function lastNonEmptyIndex(lines: string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]?.trim()) return i;
  }
  return -1;
}

// The text after the last `REMAINING_WORK:` line, else the last paragraph before the marker.
function remainingWork(bodyLines: string[]): string {
  for (let i = bodyLines.length - 1; i >= 0; i--) {
    const line = bodyLines[i]?.trimStart() ?? "";
    if (line.startsWith(REMAINING_WORK_PREFIX)) {
      const rest = [line.slice(REMAINING_WORK_PREFIX.length), ...bodyLines.slice(i + 1)];
      return rest.join("\n").trim();
    }
  }
  const paragraphs = bodyLines
    .join("\n")
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  return paragraphs.at(-1) ?? "";
}
