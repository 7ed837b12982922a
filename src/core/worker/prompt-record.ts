// How task.started records the exact prompt an agent received (attachments resolved, validation
// feedback appended), so the task's story can show it: not at all when it is task.created's inline
// prompt as it stands; inline in the event when it is small, like a small output (no object written,
// which saves the object store's three messages per task); else stored under `key`.
import type { TextRef } from "../events/index.ts";
import { outputInline } from "./outcome.ts";

export type PromptRecord = {
  /** What task.started carries. */
  fields: { prompt_ref?: string; prompt_inline?: string };
  /** The object key to store the prompt under first, when it is too large to travel inline. */
  store: string | undefined;
};

export function promptRecord(base: TextRef, prompt: string, key: string): PromptRecord {
  if ("inline" in base && base.inline === prompt) return { fields: {}, store: undefined };
  if (outputInline(prompt)) return { fields: { prompt_ref: key, prompt_inline: prompt }, store: undefined };
  return { fields: { prompt_ref: key }, store: key };
}
