// Wait until actor processes have started (on a shared, loaded machine a tsx process can take tens
// of seconds to come up): an orchestrator leads or stands by, a worker has started. Tests that
// then wait 30 s for an effect measure the system, not process start-up.
import type { ActorProcess } from "./actor-process.ts";
import { eventually } from "./processes.ts";

/** Generous: process start-up only, never a figure anything is asserted against. */
const START_BUDGET_MS = 120_000;

export async function actorsUp(...actors: ActorProcess[]): Promise<void> {
  for (const a of actors)
    await eventually(
      () => /"msg":"(worker started|orchestrator (running|standing by))"/.test(a.logs()),
      START_BUDGET_MS,
    );
}
