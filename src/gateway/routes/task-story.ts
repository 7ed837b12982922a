// GET /v1/agents/tasks/{id}/story: everything about one task in one answer: its document, every
// event on its subject, each attempt with the exact prompt its agent received, the output, the
// critiques, validation results, progress lines and artifacts. Texts come from the outputs bucket
// and are cut at a limit; they are agent output and user text, shown as text by every client.
import type { FastifyPluginAsync } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { type EventData, Id, Subjects } from "../../core/events/index.ts";
import type { ArtifactStore } from "../../core/ports/artifact-store.ts";
import type { StoredEvent } from "../../core/ports/event-store.ts";
import type { GatewayContext } from "../context.ts";
import { ErrorBody } from "../errors.ts";
import { getById, notFound } from "../lookup.ts";
import type { AttemptView, TaskStory, TextBody, TimelineEntry } from "../views/schemas.ts";
import { TaskStory as TaskStorySchema } from "../views/schemas.ts";
import { artifactItems } from "./artifacts.ts";
import { present } from "./present.ts";

/** Characters of one text the story carries; longer texts are cut (the whole is in the bucket). */
export const STORY_TEXT_LIMIT = 200_000;
/** Characters of each attachment's text. */
const ATTACHMENT_TEXT_LIMIT = 20_000;
/** Events of one task read for its story (progress lines included). */
const MAX_EVENTS = 5_000;

type Created = EventData<"task.created">;

/** A text cut to `limit` characters. */
export function cut(ref: string | null, text: string | undefined, limit = STORY_TEXT_LIMIT): TextBody {
  if (text === undefined) return { ref, text: null, chars: 0, truncated: false };
  return { ref, text: text.slice(0, limit), chars: text.length, truncated: text.length > limit };
}

// Reads each object once per story (several attempts usually share one prompt); an output or a
// prompt that travelled inline in one of the task's events is taken from there, as nothing is
// stored for it.
function textReader(artifacts: ArtifactStore, events: readonly StoredEvent[]) {
  const cache = new Map<string, Promise<string | undefined>>();
  for (const { event: e } of events)
    if (
      (e.type === "task.completed" ||
        e.type === "task.handoff_requested" ||
        e.type === "validation.failed") &&
      e.data.output_inline !== undefined
    )
      cache.set(e.data.output_ref, Promise.resolve(e.data.output_inline));
    else if (e.type === "task.started" && e.data.prompt_ref && e.data.prompt_inline !== undefined)
      cache.set(e.data.prompt_ref, Promise.resolve(e.data.prompt_inline));
  return (ref: string) => {
    let p = cache.get(ref);
    if (!p) {
      p = artifacts.findText(ref).catch(() => undefined);
      cache.set(ref, p);
    }
    return p;
  };
}

type Attempt = Omit<AttemptView, "prompt"> & { prompt_ref: string | null };

/** Attempts from the task's events: each task.started opens one, the next outcome closes it. */
export function attemptsOf(events: readonly StoredEvent[]): Attempt[] {
  const list: Attempt[] = [];
  const close = (patch: Partial<Attempt>) => {
    const open = list.at(-1);
    if (open && open.outcome === "running") Object.assign(open, patch);
  };
  for (const { event: e } of events) {
    const at = e.occurred_at;
    switch (e.type) {
      case "task.started":
        close({ outcome: "interrupted", ended_at: at });
        list.push({
          attempt: e.data.attempt,
          started_at: at,
          worker_id: e.data.worker_id,
          executor: e.data.executor,
          model: e.data.model,
          reclaimed: e.data.reclaimed,
          prompt_ref: e.data.prompt_ref ?? null,
          outcome: "running",
          ended_at: null,
          duration_ms: null,
          cost_usd: 0,
          usage: null,
          error: null,
          output_ref: null,
        });
        break;
      case "task.completed":
      case "task.handoff_requested":
        close({
          outcome: e.type === "task.completed" ? "completed" : "handed_off",
          ended_at: at,
          duration_ms: e.data.duration_ms,
          cost_usd: e.data.cost_usd,
          usage: e.data.usage,
          output_ref: e.data.output_ref,
          model: e.data.model,
        });
        break;
      case "task.failed":
        close({
          outcome: "failed",
          ended_at: at,
          duration_ms: e.data.duration_ms,
          cost_usd: e.data.cost_usd,
          usage: e.data.usage ?? null,
          error: `${e.data.reason}: ${e.data.error}`,
        });
        break;
      case "validation.failed":
        close({
          outcome: "validation_failed",
          ended_at: at,
          duration_ms: e.data.duration_ms,
          cost_usd: e.data.cost_usd,
          usage: e.data.usage ?? null,
          output_ref: e.data.output_ref,
          error: e.data.failures.map((f) => `${f.type}: ${f.error}`).join("; "),
        });
        break;
      case "task.interrupted":
        close({ outcome: "interrupted", ended_at: at, error: e.data.reason });
        break;
      case "task.cancelled":
        close({ outcome: "cancelled", ended_at: at, error: e.data.reason });
        break;
      default:
        break;
    }
  }
  return list;
}

/** The events as a timeline; task.created's prompt is left out (the story shows it on its own). */
function timelineOf(events: readonly StoredEvent[]): TimelineEntry[] {
  return events.map(({ seq, event: e }) => {
    const data: Record<string, unknown> = { ...(e.data as Record<string, unknown>) };
    if (e.type === "task.created") {
      data.prompt = "inline" in e.data.prompt ? { inline_chars: e.data.prompt.inline.length } : e.data.prompt;
      data.attachments = e.data.attachments.map(({ inline, ...a }) =>
        inline === undefined ? a : { ...a, inline_chars: inline.length },
      );
    }
    // An inline output or prompt is shown once, as the story's output or an attempt's, not again here.
    for (const field of ["output_inline", "prompt_inline"] as const) {
      const text = data[field];
      if (typeof text !== "string") continue;
      data[`${field}_chars`] = text.length;
      delete data[field];
    }
    return { seq, type: e.type, at: e.occurred_at, data };
  });
}

export const taskStoryRoutes: FastifyPluginAsync<{ ctx: GatewayContext }> = async (app, { ctx }) => {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/v1/agents/tasks/:id/story",
    {
      schema: {
        tags: ["jobs"],
        summary:
          "A task's whole story: prompt as sent, attempts, output, critiques, validation, progress, timeline",
        params: z.object({ id: Id }),
        response: { 200: TaskStorySchema, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (req): Promise<TaskStory> => {
      const q = ctx.deps.queries;
      const checkpoint = await q.checkpoint();
      const found = await getById(ctx, req.params.id);
      if (found.kind !== "task") throw notFound(req.params.id);
      const task = found.task;
      const events: StoredEvent[] = [];
      for await (const e of ctx.events.read(Subjects.task(task.task_id))) {
        events.push(e);
        if (events.length >= MAX_EVENTS) break;
      }
      const read = textReader(ctx.deps.artifacts, events);
      const created = events.find((e) => e.event.type === "task.created")?.event.data as Created | undefined;
      const base = created?.prompt;
      const basePrompt =
        base === undefined
          ? cut(null, undefined)
          : "inline" in base
            ? cut(null, base.inline)
            : cut(base.ref, await read(base.ref));
      const attempts = await Promise.all(
        attemptsOf(events).map(async ({ prompt_ref, ...a }) => ({
          ...a,
          prompt: prompt_ref ? cut(prompt_ref, await read(prompt_ref)) : basePrompt,
        })),
      );
      const [jobPage, critiques] = await Promise.all([
        q.listJobs({ ids: [task.job_id], limit: 1 }),
        q.qualityHistory({ job_id: task.job_id, iterations: [task.iteration], limit: 1000 }),
      ]);
      const own = critiques.filter((c) => c.task_id === task.task_id || c.critic_task_id === task.task_id);
      const validationFailures = events.flatMap(({ event: e }) =>
        e.type === "validation.failed"
          ? [{ attempt: e.data.attempt, passed: false, failures: e.data.failures, feedback: e.data.feedback }]
          : [],
      );
      const specs = created?.validation ?? [];
      const passed =
        specs.length > 0 && task.status === "completed"
          ? [{ attempt: task.attempts, passed: true, failures: [], feedback: null }]
          : [];
      const handoff = events.findLast((e) => e.event.type === "task.handoff_requested")?.event;
      const attachments = await Promise.all(
        (created?.attachments ?? []).map(async (a) => ({
          kind: "attachment" as const,
          label: a.label,
          ref: a.ref,
          content: cut(a.ref, a.inline ?? (await read(a.ref)), ATTACHMENT_TEXT_LIMIT),
        })),
      );
      const refs = [
        ...(base && "ref" in base ? [{ kind: "prompt" as const, label: "base prompt", ref: base.ref }] : []),
        ...attempts.flatMap((a) => [
          ...(a.prompt.ref && a.prompt !== basePrompt
            ? [{ kind: "prompt" as const, label: `prompt of attempt ${a.attempt}`, ref: a.prompt.ref }]
            : []),
          ...(a.output_ref
            ? [{ kind: "output" as const, label: `output of attempt ${a.attempt}`, ref: a.output_ref }]
            : []),
        ]),
      ].map((r) => ({ ...r, content: null }));
      const timeline = [
        ...timelineOf(events),
        ...own.map((c) => ({
          seq: c.seq,
          type: "critique.recorded",
          at: c.occurred_at,
          data: { compliance: c.compliance, uniqueness: c.uniqueness, quality: c.quality, passed: c.passed },
        })),
      ].sort((a, b) => a.seq - b.seq);
      return {
        task: present(task),
        job: jobPage.items[0] ?? null,
        prompt: basePrompt,
        attempts,
        output: task.output_ref ? cut(task.output_ref, await read(task.output_ref)) : null,
        remaining_work: handoff?.type === "task.handoff_requested" ? handoff.data.remaining_work : null,
        critiques: own.map(present),
        validation: { specs, results: [...validationFailures, ...passed] },
        progress: events.flatMap(({ event: e }) =>
          e.type === "task.progress"
            ? [
                {
                  at: e.occurred_at,
                  elapsed_ms: e.data.elapsed_ms,
                  turns: e.data.turns ?? null,
                  output_tokens: e.data.output_tokens ?? null,
                  message: e.data.message ?? null,
                },
              ]
            : [],
        ),
        files: artifactItems(task),
        files_skipped: task.artifacts_skipped ?? 0,
        permission_denials: (task.permission_denials ?? []).map((d) => ({ tool_name: d.tool_name })),
        artifacts: [...attachments, ...refs],
        timeline,
        checkpoint,
      };
    },
  );
};
