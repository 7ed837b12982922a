// The critic role of a worker, as a shell over the critic's verdict (src/core/critic): take the
// outputs to compare the reviewed one with (inline in its attachments when small, else read), then record the critique on the critic task's own
// critique subject (only critic identities may write there; see docs/production.md). The worker
// gets it from the composition root, as a CriticJudge.
import { Registry } from "prom-client";
import {
  comparedAttachments,
  critiqueVerdict,
  type NearDuplicate,
  nearDuplicateOf,
} from "../../core/critic/index.ts";
import { type Attachment, eventFrom, Subjects } from "../../core/events/index.ts";
import { stableId } from "../../core/ids.ts";
import { type ArtifactStore, attachmentText } from "../../core/ports/artifact-store.ts";
import type { CriticJudge } from "../../core/ports/critic.ts";
import type { EventStore } from "../../core/ports/event-store.ts";
import { parseCritique } from "../../core/protocol/critique.ts";
import { criticMetrics } from "./metrics.ts";

type Attachments = ReadonlyArray<Attachment>;

/**
 * The critic: critique.recorded (then the task completes) or critique.unparseable (then it fails and
 * retries). Its series go to `registry` (default: a private one).
 */
export function createCritic(
  stores: { events: EventStore; artifacts: ArtifactStore },
  registry: Registry = new Registry(),
): CriticJudge {
  const metrics = criticMetrics(registry);
  return async ({ task, attempt, output, fields, meta }) => {
    const parsed = parseCritique(output);
    const duplicate = parsed.ok ? await nearDuplicate(stores.artifacts, task.created.attachments) : undefined;
    const verdict = critiqueVerdict({ task, attempt, output, parsed, fields, duplicate });
    // Derived from the attempt, so a critic task run again after a crash records its critique once.
    const id = stableId(task.task_id, String(attempt), "critique");
    const ack = await stores.events.append(
      Subjects.critique(task.task_id),
      eventFrom(verdict.job, { ...meta, id }),
    );
    if (!ack.duplicate) {
      if (verdict.job.type === "critique.recorded")
        metrics.recorded(
          verdict.job.data,
          task.created.target_model ?? (await judgedModel(stores.events, verdict.job.data, fields.model)),
        );
      else metrics.unparsed(fields.model);
    }
    return verdict.outcome;
  };
}

/**
 * The model whose output was judged, read from its outcome event (a critic task created before
 * task.created carried `target_model`), else the critic's own.
 */
async function judgedModel(
  events: EventStore,
  d: { target_task_id: string },
  fallback: string,
): Promise<string> {
  const last = await events.lastEvent(Subjects.task(d.target_task_id)).catch(() => null);
  const data = last?.event.data;
  return data && "model" in data && typeof data.model === "string" && data.model ? data.model : fallback;
}

/** The reviewed output against earlier iterations' outputs attached for comparison. */
async function nearDuplicate(
  artifacts: ArtifactStore,
  attachments: Attachments,
): Promise<NearDuplicate | undefined> {
  const { reviewed, earlier } = comparedAttachments(attachments);
  if (!reviewed || earlier.length === 0) return undefined;
  const text = await attachmentText(artifacts, reviewed);
  const others = await Promise.all(
    earlier.map(async (a) => ({ label: a.label, text: await attachmentText(artifacts, a) })),
  );
  return nearDuplicateOf(text, others);
}
