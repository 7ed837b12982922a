// The words of the agent text protocol that two sides must spell the same: the handoff marker an
// agent ends with, and the labels under which a worker attaches earlier outputs to a prompt (the
// orchestrator names them, the worker and the critic look them up).

/** Alone on an agent answer's last non-empty line: the agent ran out of context and hands off. */
export const HANDOFF_MARKER = "HANDOFF_REQUIRED";
/** Starts the line where a handing-off agent summarises the work still to do. */
export const REMAINING_WORK_PREFIX = "REMAINING_WORK:";

export const AttachmentLabel = {
  /** The output a critic judges. */
  Output: "OUTPUT",
  /** The output a continuation carries on from. */
  EarlierOutput: "EARLIER OUTPUT",
  /** The output a reviser rewrites. */
  OutputToRevise: "OUTPUT TO REVISE",
  /** Prefix of an earlier iteration's output a critic compares against (near-duplicate check). */
  Compare: "EARLIER OUTPUT FOR COMPARISON",
} as const;

/** The label of iteration `n`'s output attached to a critic task for comparison. */
export function compareLabel(iteration: number): string {
  return `${AttachmentLabel.Compare} (iteration ${iteration})`;
}
