// Which outputs that travelled inline the orchestrator keeps in memory. An inline output is up to
// INLINE_OUTPUT_BYTES (32 KB), and a critic task's created event carries up to four of them, so an
// infinite job keeping every one would grow by ~100 KB an iteration. A decision attaches an earlier
// output in exactly three places (src/core/orchestrator/decide-run.ts): the reviewed output of a
// critic (the task's own completion event carries it), the output to revise (the iteration's latest
// task, while the iteration runs) and the comparisons (the latest output of each of the three
// iterations before the critic's). So the state keeps only the latest output of an iteration, and
// only until the three iterations after it have ended; the text of a created task's attachments and
// its prompt are the worker's to read from its event, never the orchestrator's (no decision reads
// them: a revision or continuation builds its prompt from the spec and the outputs).
import type { TaskState } from "../lifecycle/index.ts";

/** How many earlier iterations a critic compares with (comparisons in decide-run.ts). */
export const COMPARED_ITERATIONS = 3;

type Iterations = ReadonlyMap<number, { status: string; latest_task_id: string | undefined }>;

/**
 * A created task's state without the text of its attachments (their keys stay) and of its inline
 * prompt (an empty one stands for it; a prompt by reference keeps its key).
 */
export function withoutCreatedTexts(task: TaskState): TaskState {
  const { attachments, prompt } = task.created;
  const inlineAttachments = attachments.some((a) => a.inline !== undefined);
  const inlinePrompt = "inline" in prompt && prompt.inline !== "";
  if (!inlineAttachments && !inlinePrompt) return task;
  return {
    ...task,
    created: {
      ...task.created,
      ...(inlineAttachments ? { attachments: attachments.map(({ inline: _text, ...a }) => a) } : {}),
      ...(inlinePrompt ? { prompt: { inline: "" } } : {}),
    },
  };
}

/**
 * Forget a task's inline output. Its key goes too: nothing is stored under it, so a decision that
 * finds no output attaches none (a comparison left out) rather than a key no one can read.
 */
export function forgetInlineOutput(tasks: Map<string, TaskState>, taskId: string | undefined): void {
  const t = taskId === undefined ? undefined : tasks.get(taskId);
  if (!t || t.output_inline === undefined) return;
  tasks.set(t.task_id, { ...t, output_ref: undefined, output_inline: undefined });
}

/**
 * After iteration `ended` ended: forget the latest outputs of it and of the iterations before it
 * that no running or future iteration compares with (every one of the next three has ended).
 */
export function forgetComparedOutputs(
  tasks: Map<string, TaskState>,
  iterations: Iterations,
  ended: number,
): void {
  for (let m = ended - COMPARED_ITERATIONS; m <= ended; m++) {
    const it = iterations.get(m);
    if (!it || it.status === "running") continue;
    let later = 1;
    while (later <= COMPARED_ITERATIONS && isEnded(iterations.get(m + later))) later++;
    if (later > COMPARED_ITERATIONS) forgetInlineOutput(tasks, it.latest_task_id);
  }
}

function isEnded(it: { status: string } | undefined): boolean {
  return it !== undefined && it.status !== "running";
}
