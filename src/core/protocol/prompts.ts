// Prompt templates for each task type. Pure: large context travels as attachments (by reference),
// which the worker resolves, so the exact prompt an agent saw is rebuilt and stored by the worker.
import { HANDOFF_MARKER, REMAINING_WORK_PREFIX } from "./labels.ts";

export const HANDOFF_INSTRUCTIONS = [
  "If you cannot finish within your context or turn budget, stop at a clean point, write a line",
  `starting with ${REMAINING_WORK_PREFIX} that summarises what is left, and end with ${HANDOFF_MARKER} alone on`,
  `the last line. Otherwise do not write ${HANDOFF_MARKER}.`,
].join("\n");

const DIRECTIONS = [
  "a practical, hands-on angle",
  "a contrarian angle that challenges a common assumption",
  "a story-driven angle built around one concrete example",
  "a data-minded angle that reasons from numbers and evidence",
  "a beginner's angle that explains from first principles",
  "an expert's angle that goes deep on one hard detail",
  "a historical angle: how we got here",
  "a future-facing angle: where this is going",
  "a comparative angle: weigh two approaches against each other",
  "a checklist angle: concrete steps a reader can follow",
];

/** A distinct creative direction per iteration, so outputs stay unique. */
export function creativeDirection(iteration: number): string {
  const base = DIRECTIONS[(iteration - 1) % DIRECTIONS.length] ?? DIRECTIONS[0];
  const cycle = Math.floor((iteration - 1) / DIRECTIONS.length);
  return cycle === 0
    ? `${base}`
    : `${base} (variation ${cycle + 1}: take it somewhere the earlier ones did not go)`;
}

export type GeneratorPromptInput = {
  spec: string;
  iteration: number;
  count: number | "infinite";
  /** One line per earlier iteration, so this one can differ from them. */
  earlier: string[];
  /** IMPROVEMENT_ADVICE lines and critique excerpts learned from the quality history. */
  advice: string[];
};

/** The generator prompt for one iteration. */
export function generatorPrompt(i: GeneratorPromptInput): string {
  const parts = [
    "ROLE: generator",
    `ITERATION: ${i.iteration} of ${i.count === "infinite" ? "an open-ended series" : i.count}`,
    `CREATIVE DIRECTION: ${creativeDirection(i.iteration)}`,
    "",
    "TASK SPEC:",
    i.spec,
  ];
  if (i.earlier.length > 0) {
    parts.push("", "EARLIER ITERATIONS (make yours clearly different):", ...i.earlier.map((e) => `- ${e}`));
  }
  if (i.advice.length > 0) parts.push("", ...i.advice);
  parts.push("", HANDOFF_INSTRUCTIONS);
  return parts.join("\n");
}

/** The continuation prompt; the earlier output arrives as an attachment. */
export function continuationPrompt(spec: string, iteration: number, remainingWork: string): string {
  return [
    "ROLE: continuation",
    "CONTINUATION OF EARLIER WORK",
    `ITERATION: ${iteration}`,
    "",
    "TASK SPEC:",
    spec,
    "",
    "An earlier agent ran out of context. Continue its work from where it stopped; do not start over.",
    "Return the complete result (the earlier part, completed).",
    "",
    "REMAINING WORK (from the earlier agent):",
    remainingWork || "(not stated: finish the task)",
    "",
    HANDOFF_INSTRUCTIONS,
  ].join("\n");
}

/** The critic prompt; the output under review arrives as an attachment. */
export function criticPrompt(spec: string, iteration: number): string {
  return [
    "ROLE: critic",
    `ITERATION: ${iteration}`,
    "",
    "Judge the OUTPUT below against the TASK SPEC. Answer in exactly this format, integers 1-10:",
    "compliance: N",
    "uniqueness: N",
    "quality: N",
    "Critique: <what is wrong and how to fix it>",
    "",
    "TASK SPEC:",
    spec,
  ].join("\n");
}

/** The reviser prompt; the output to improve arrives as an attachment, the critique inline. */
export function reviserPrompt(spec: string, iteration: number, critique: string, round: number): string {
  return [
    "ROLE: reviser",
    `ITERATION: ${iteration}`,
    `REVISION ROUND: ${round}`,
    "",
    "TASK SPEC:",
    spec,
    "",
    "A critic reviewed the OUTPUT below. Rewrite it to address the critique; return the full revised output.",
    "CRITIQUE:",
    critique,
    "",
    HANDOFF_INSTRUCTIONS,
  ].join("\n");
}
