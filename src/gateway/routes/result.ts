// GET /v1/agents/result/{id}: a task's output (from the object store) with its metadata, or a job's
// best output of every ended iteration, a page of iterations at a time. 409 while there is nothing
// final to show.
import type { FastifyPluginAsync } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { ErrorCode } from "../../core/errors.ts";
import { Id } from "../../core/events/index.ts";
import { findOutput } from "../../core/ports/artifact-store.ts";
import type { JobDoc } from "../../projections/job-progress/evolve.ts";
import type { TaskDoc } from "../../projections/task-details/evolve.ts";
import type { GatewayContext } from "../context.ts";
import { ErrorBody, HttpError } from "../errors.ts";
import { getById } from "../lookup.ts";
import { ArtifactItem, artifactItems } from "./artifacts.ts";

const Denial = z.object({ tool_name: z.string(), tool_use_id: z.string(), input: z.string() });

const TaskResult = z.object({
  task_id: z.string(),
  job_id: z.string(),
  type: z.string(),
  iteration: z.number(),
  status: z.string(),
  model: z.string(),
  output: z.string().nullable(),
  output_ref: z.string().nullable(),
  output_bytes: z.number().nullable(),
  cost_usd: z.number(),
  usage: z.object({ input_tokens: z.number(), output_tokens: z.number() }),
  /** True when some run's model had no price: cost_usd leaves that run out. */
  unpriced: z.boolean(),
  duration_ms: z.number().nullable(),
  finished_at: z.string().nullable(),
  artifacts: z.array(ArtifactItem).describe("files the agent wrote in its task folder"),
  permission_denials: z.array(Denial).describe("tool calls the agent was refused"),
});
const Iteration = z.object({
  iteration: z.number(),
  outcome: z.string(),
  task_id: z.string().nullable(),
  output: z.string().nullable(),
  model: z.string().nullable(),
  cost_usd: z.number().nullable(),
  artifacts: z.array(ArtifactItem),
});
const ResultBody = z.object({
  kind: z.enum(["job", "task"]),
  task: TaskResult.optional(),
  job: z
    .object({
      job_id: z.string(),
      status: z.string(),
      complete: z.boolean(),
      cost_usd: z.number(),
      iterations: z.array(Iteration),
      next_cursor: z.string().nullable().describe("pass as cursor for the next page; null on the last"),
    })
    .optional(),
});

const HAS_OUTPUT = new Set(["completed", "handed_off"]);
/** Outputs read from the object store at once while building a page. */
const READS_IN_PARALLEL = 16;

type Page = { cursor: number; limit: number };

async function taskResult(ctx: GatewayContext, t: TaskDoc): Promise<z.infer<typeof TaskResult>> {
  if (!HAS_OUTPUT.has(t.status) || !t.output_ref) {
    const why = ["dead_lettered", "cancelled"].includes(t.status)
      ? `ended ${t.status} without an output${t.last_error ? ` (${t.last_error})` : ""}`
      : `is ${t.status}; its output is not ready yet`;
    throw new HttpError(ErrorCode.NotReady, `task ${t.task_id} ${why}`);
  }
  const output =
    (await findOutput(ctx.deps.artifacts, { output_ref: t.output_ref, output_inline: t.output_inline })) ??
    null;
  return {
    task_id: t.task_id,
    job_id: t.job_id,
    type: t.type,
    iteration: t.iteration,
    status: t.status,
    model: t.model,
    output,
    output_ref: t.output_ref,
    output_bytes: t.output_bytes,
    cost_usd: t.cost_usd,
    usage: t.usage,
    unpriced: t.unpriced === true,
    duration_ms: t.duration_ms,
    finished_at: t.finished_at,
    artifacts: artifactItems(t),
    permission_denials: t.permission_denials ?? [],
  };
}

async function jobResult(ctx: GatewayContext, j: JobDoc, partial: boolean, page: Page) {
  const final = j.status === "completed" || j.status === "cancelled";
  if (j.status === "rejected")
    throw new HttpError(ErrorCode.NotReady, `job ${j.job_id} was rejected: ${j.reason}`);
  if (!final && !partial)
    throw new HttpError(
      ErrorCode.NotReady,
      `job ${j.job_id} is ${j.status} (${j.best_tasks.length} iterations ended); ask again when it completes, or pass partial=true`,
    );
  const ended = j.best_tasks
    .filter((b) => b.iteration > page.cursor)
    .sort((a, b) => a.iteration - b.iteration);
  const slice = ended.slice(0, page.limit);
  const iterations = [];
  for (let i = 0; i < slice.length; i += READS_IN_PARALLEL) {
    const batch = slice.slice(i, i + READS_IN_PARALLEL);
    iterations.push(...(await Promise.all(batch.map((b) => iterationResult(ctx, b)))));
  }
  const last = slice.at(-1);
  const next_cursor = ended.length > slice.length && last ? String(last.iteration) : null;
  return {
    job_id: j.job_id,
    status: j.status,
    complete: final,
    cost_usd: j.cost_usd,
    iterations,
    next_cursor,
  };
}

async function iterationResult(ctx: GatewayContext, b: JobDoc["best_tasks"][number]) {
  const t = b.best_task_id ? await ctx.deps.queries.getTask(b.best_task_id) : null;
  const output = t?.output_ref
    ? ((await findOutput(ctx.deps.artifacts, { output_ref: t.output_ref, output_inline: t.output_inline })) ??
      null)
    : null;
  return {
    iteration: b.iteration,
    outcome: b.outcome,
    task_id: b.best_task_id,
    output,
    model: t?.model ?? null,
    cost_usd: t?.cost_usd ?? null,
    artifacts: t ? artifactItems(t) : [],
  };
}

export const resultRoutes: FastifyPluginAsync<{ ctx: GatewayContext }> = async (app, { ctx }) => {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/v1/agents/result/:id",
    {
      schema: {
        tags: ["jobs"],
        summary: "A task's output, or the best output of each ended iteration of a job (a page at a time)",
        params: z.object({ id: Id }),
        querystring: z.object({
          partial: z
            .enum(["true", "false"])
            .default("false")
            .describe("for a job still running: return the iterations ended so far"),
          limit: z.coerce
            .number()
            .int()
            .min(1)
            .max(500)
            .default(100)
            .describe("iterations per page (a job's result only)"),
          cursor: z
            .string()
            .regex(/^\d{1,15}$/, "must be the next_cursor of the previous page")
            .optional()
            .describe("the previous page's next_cursor"),
        }),
        response: { 200: ResultBody, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => {
      const found = await getById(ctx, req.params.id);
      if (found.kind === "task") return { kind: "task" as const, task: await taskResult(ctx, found.task) };
      const page = { cursor: Number(req.query.cursor ?? 0), limit: req.query.limit };
      return {
        kind: "job" as const,
        job: await jobResult(ctx, found.job, req.query.partial === "true", page),
      };
    },
  );
};
