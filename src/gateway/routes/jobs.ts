// GET /v1/agents/jobs (jobs newest first: filters, cursor pages) and GET /v1/agents/jobs/{id}/iterations
// (a job's iterations newest first, each with its tasks and critiques). What the dashboard lists.
import type { FastifyPluginAsync } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { ErrorCode } from "../../core/errors.ts";
import { Id } from "../../core/events/index.ts";
import type { JobDoc } from "../../projections/index.ts";
import { JOB_STATUSES, summarizeJob } from "../../projections/jobs-list/query.ts";
import type { GatewayContext } from "../context.ts";
import { ErrorBody, HttpError } from "../errors.ts";
import { getById, notFound } from "../lookup.ts";
import { IterationsPage, type IterationView, JobsPage } from "../views/schemas.ts";
import { present } from "./present.ts";

const ID_LIST = /^[A-Za-z0-9_-]{1,128}(,[A-Za-z0-9_-]{1,128}){0,499}$/;
const NUMBER_LIST = /^\d{1,6}(,\d{1,6}){0,99}$/;

const JobsQuery = z.object({
  status: z.enum(JOB_STATUSES).optional(),
  q: z.string().max(500).optional().describe("text the spec contains (case-insensitive)"),
  from: z.iso.datetime().optional().describe("created at or after (ISO time)"),
  to: z.iso.datetime().optional().describe("created before (ISO time)"),
  ids: z
    .string()
    .regex(ID_LIST, "must be up to 500 job ids separated by commas")
    .optional()
    .describe("only these jobs (comma separated): how a live page refreshes the rows it shows"),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional().describe("the previous page's next_cursor"),
});

const IterationsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(20).describe("iterations per page"),
  cursor: z.string().max(100).optional().describe("the previous page's next_cursor"),
  iterations: z
    .string()
    .regex(NUMBER_LIST, "must be up to 100 iteration numbers separated by commas")
    .optional()
    .describe("exactly these iterations instead of a page (comma separated)"),
});

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody };

/** The cursor after iteration `n` (the next page starts below it). */
function iterationCursor(n: number): string {
  return Buffer.from(`i:${n}`).toString("base64url");
}

function readIterationCursor(cursor: string): number {
  const m = /^i:(\d{1,9})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!m) throw cursorError();
  return Number(m[1]);
}

function cursorError(): HttpError {
  return new HttpError(ErrorCode.ValidationFailed, "querystring is invalid: cursor", [
    { path: "cursor", message: "is not a cursor returned by this API; start again without it" },
  ]);
}

/** The iteration numbers of one page, newest first, and the cursor of the next. */
export function iterationPage(
  planned: number,
  limit: number,
  cursor: string | undefined,
): { numbers: number[]; next: string | null } {
  const top = cursor === undefined ? planned : readIterationCursor(cursor) - 1;
  const numbers: number[] = [];
  for (let n = Math.min(top, planned); n >= 1 && numbers.length < limit; n--) numbers.push(n);
  const lowest = numbers.at(-1);
  return { numbers, next: lowest !== undefined && lowest > 1 ? iterationCursor(lowest) : null };
}

async function iterationsOf(ctx: GatewayContext, job: JobDoc, numbers: number[]): Promise<IterationView[]> {
  const q = ctx.deps.queries;
  const [tasks, critiques] = await Promise.all([
    q.jobTasks(job.job_id, numbers),
    numbers.length === 0
      ? Promise.resolve([])
      : q.qualityHistory({ job_id: job.job_id, iterations: numbers, limit: 1000 }),
  ]);
  const ended = new Map(job.best_tasks.map((b) => [b.iteration, b]));
  return numbers.map((n) => ({
    iteration: n,
    outcome: ended.get(n)?.outcome ?? null,
    best_task_id: ended.get(n)?.best_task_id ?? null,
    tasks: tasks.filter((t) => t.iteration === n).map(present),
    critiques: critiques.filter((c) => c.iteration === n).map(present),
  }));
}

export const jobRoutes: FastifyPluginAsync<{ ctx: GatewayContext }> = async (app, { ctx }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const q = ctx.deps.queries;

  r.get(
    "/v1/agents/jobs",
    {
      schema: {
        tags: ["jobs"],
        summary: "Jobs, newest first, filtered by status, spec text, creation time or ids; a page at a time",
        querystring: JobsQuery,
        response: { 200: JobsPage, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req) => {
      const { status, q: text, from, to, ids, limit, cursor } = req.query;
      if (from && to && from >= to)
        throw new HttpError(ErrorCode.ValidationFailed, "querystring is invalid: from", [
          { path: "from", message: "must be before to" },
        ]);
      // Read the checkpoint first: the page reflects at least that much of the stream.
      const checkpoint = await q.checkpoint();
      const page = await q.listJobs({ status, text, from, to, ids: ids?.split(","), limit, cursor });
      return { ...page, checkpoint };
    },
  );

  r.get(
    "/v1/agents/jobs/:id/iterations",
    {
      schema: {
        tags: ["jobs"],
        summary: "A job's iterations, newest first, each with its tasks and critiques; a page at a time",
        params: z.object({ id: Id }),
        querystring: IterationsQuery,
        response: { 200: IterationsPage, ...errors },
      },
    },
    async (req) => {
      const checkpoint = await q.checkpoint();
      const found = await getById(ctx, req.params.id);
      if (found.kind !== "job") throw notFound(req.params.id);
      const job = found.job;
      const { numbers, next } = req.query.iterations
        ? {
            numbers: [...new Set(req.query.iterations.split(",").map(Number))].sort((a, b) => b - a),
            next: null,
          }
        : iterationPage(job.iterations_planned, req.query.limit, req.query.cursor);
      return {
        job: summarizeJob(job),
        iterations: await iterationsOf(ctx, job, numbers),
        next_cursor: next,
        checkpoint,
      };
    },
  );
};
