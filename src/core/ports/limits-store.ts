// Where the models' shared limit state lives (every worker reads and writes it): one entry per model,
// changed only by compare-and-set on its revision, so two workers can never both take the last place.
import type { LimitState } from "../limits/window.ts";

/** A model's state at a revision (0: no entry yet). */
export type LimitEntry = { state: LimitState; revision: number };

export type LimitsStore = {
  /** The latest entry this process has seen (kept current by the adapter, no round trip). */
  cached(model: string): LimitEntry | undefined;
  /** Read the entry from the server. */
  read(model: string): Promise<LimitEntry | undefined>;
  /** Write `state` if the entry is still at `revision` (0: it must not exist); the new revision, or undefined when another writer came first. */
  write(model: string, state: LimitState, revision: number): Promise<number | undefined>;
  /** Told the model whenever its entry changes (any writer); returns the unsubscribe function. */
  onChange(listener: (model: string) => void): () => void;
  close(): Promise<void>;
};
