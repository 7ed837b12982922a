// Progress reporting shared by all executors.

import type { ExecutorProgress, ExecutorRequest } from "../core/ports/executor.ts";

/** Reports progress without letting a faulty callback break the run (the port says it must not throw). */
export function reportProgress(request: ExecutorRequest, progress: ExecutorProgress): void {
  try {
    request.onProgress?.(progress);
  } catch {
    // A progress listener is advisory; its failure must not fail the agent run.
  }
}
