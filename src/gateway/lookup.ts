// Find a job or task by id in the projections. When the projections do not have it yet but the
// stream does (it was just written), wait briefly for them to catch up instead of answering 404.
import { ErrorCode } from "../core/errors.ts";
import { Subjects } from "../core/events/index.ts";
import type { JobDoc } from "../projections/job-progress/evolve.ts";
import type { TaskDoc } from "../projections/task-details/evolve.ts";
import type { GatewayContext } from "./context.ts";
import { HttpError } from "./errors.ts";

export type Found = { kind: "job"; job: JobDoc } | { kind: "task"; task: TaskDoc };

const CATCH_UP_MS = 3_000;

async function fromProjections(ctx: GatewayContext, id: string): Promise<Found | null> {
  const job = await ctx.deps.queries.getJob(id);
  if (job) return { kind: "job", job };
  const task = await ctx.deps.queries.getTask(id);
  return task ? { kind: "task", task } : null;
}

/** Whether an id is a job or a task, and its document (null while the projections lag behind). */
export type Located = { kind: Found["kind"]; found: Found | null };

/** Where an id stands, or null when neither the projections nor the stream know it. */
export async function locate(ctx: GatewayContext, id: string): Promise<Located | null> {
  const found = await fromProjections(ctx, id);
  if (found) return { kind: found.kind, found };
  const jobSeq = await ctx.events.lastSequence(Subjects.job(id));
  const seq = jobSeq > 0 ? jobSeq : await ctx.events.lastSequence(Subjects.task(id));
  if (seq === 0) return null;
  await ctx.deps.projections.waitFor(seq, CATCH_UP_MS).catch(() => undefined);
  return { kind: jobSeq > 0 ? "job" : "task", found: await fromProjections(ctx, id) };
}

/** The job or task with this id, or null when neither the projections nor the stream know it. */
export async function findById(ctx: GatewayContext, id: string): Promise<Found | null> {
  return (await locate(ctx, id))?.found ?? null;
}

/** As findById, but a 404 that says what to do. */
export async function getById(ctx: GatewayContext, id: string): Promise<Found> {
  const found = await findById(ctx, id);
  if (!found) throw notFound(id);
  return found;
}

/** The 404 for an unknown id. */
export function notFound(id: string): HttpError {
  return new HttpError(
    ErrorCode.NotFound,
    `no job or task "${id}"; a job submitted a moment ago appears once the orchestrator has accepted it, so retry shortly`,
  );
}
