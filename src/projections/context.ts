// What an evolve function may know besides the event: its stream sequence and the documents it
// depends on, as they were loaded for this batch (pure data, so evolves stay pure).
import type { JobDoc } from "./job-progress/doc.ts";
import type { TaskDoc } from "./task-details/doc.ts";

export type FoldContext = {
  /** Stream sequence of the event; every document it changes records it as `seq`. */
  seq: number;
  /** For task events: the task document before and after this event. */
  task: { before: TaskDoc | null; after: TaskDoc | null } | null;
  /** The event's job document before this event, when it has one. */
  job: JobDoc | null;
  /** For critiques: the judged task's document. */
  target: TaskDoc | null;
};

/** A context with only the sequence known. */
export function contextAt(seq: number): FoldContext {
  return { seq, task: null, job: null, target: null };
}
