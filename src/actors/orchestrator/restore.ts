// A job the state forgot (it had ended with no live task) comes back from its stored events when a
// retry re-opens it: live, before the retry is decided, and in a fold, before the `job.reopened` the
// retry stored is applied. Without the second, a cold fold (a restart, a standby taking over) drops
// the re-opened job and refuses every later event of it, so it never completes again.
import { misplaced, Subjects } from "../../core/events/index.ts";
import { type OrchestratorState, restoreJob } from "../../core/orchestrator/index.ts";
import type { StoredEvent } from "../../core/ports/event-store.ts";
import type { JetStreamEventStore } from "../../nats/event-store.ts";

/** Bring job `jobId` back into `state` from the stream up to `toSeq`; returns the events read. */
export async function restoreFromStream(
  events: JetStreamEventStore,
  state: OrchestratorState,
  jobId: string,
  toSeq: number,
): Promise<number> {
  if (state.jobs.has(jobId)) return 0;
  const first = await events.reader.firstSequence(Subjects.job(jobId));
  if (first === undefined || first > toSeq) return 0;
  const found: StoredEvent[] = [];
  for await (const e of events.read(Subjects.all, { fromSeq: first, toSeq }))
    if (e.event.job_id === jobId && !misplaced(e.subject, e.event)) found.push(e);
  restoreJob(state, jobId, found);
  return found.length;
}
