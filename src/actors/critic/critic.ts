// The critic role of a worker, as a shell over the critic's verdict (src/core/critic): read the
// outputs to compare the reviewed one with, then record the critique on the critic task's own
// critique subject (only critic identities may write there; see docs/production.md). The worker
// gets it from the composition root, as a CriticJudge.
import {
  comparedAttachments,
  critiqueVerdict,
  type NearDuplicate,
  nearDuplicateOf,
} from "../../core/critic/index.ts";
import { eventFrom, Subjects } from "../../core/events/index.ts";
import { stableId } from "../../core/ids.ts";
import type { ArtifactStore } from "../../core/ports/artifact-store.ts";
import type { CriticJudge } from "../../core/ports/critic.ts";
import type { EventStore } from "../../core/ports/event-store.ts";
import { parseCritique } from "../../core/protocol/critique.ts";

type Attachments = ReadonlyArray<{ label: string; ref: string }>;

/** The critic: critique.recorded (then the task completes) or critique.unparseable (then it fails and retries). */
export function createCritic(stores: { events: EventStore; artifacts: ArtifactStore }): CriticJudge {
  return async ({ task, attempt, output, fields, meta }) => {
    const parsed = parseCritique(output);
    const duplicate = parsed.ok ? await nearDuplicate(stores.artifacts, task.created.attachments) : undefined;
    const verdict = critiqueVerdict({ task, attempt, output, parsed, fields, duplicate });
    // Derived from the attempt, so a critic task run again after a crash records its critique once.
    const id = stableId(task.task_id, String(attempt), "critique");
    await stores.events.append(Subjects.critique(task.task_id), eventFrom(verdict.job, { ...meta, id }));
    return verdict.outcome;
  };
}

/** The reviewed output against earlier iterations' outputs attached for comparison. */
async function nearDuplicate(
  artifacts: ArtifactStore,
  attachments: Attachments,
): Promise<NearDuplicate | undefined> {
  const { reviewed, earlier } = comparedAttachments(attachments);
  if (!reviewed || earlier.length === 0) return undefined;
  const text = await artifacts.getText(reviewed.ref);
  const others = await Promise.all(
    earlier.map(async (a) => ({ label: a.label, text: await artifacts.getText(a.ref) })),
  );
  return nearDuplicateOf(text, others);
}
