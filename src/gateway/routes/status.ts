// Read routes over the projections: a job or task's status, a job's tasks (cursor pages), counts per
// queue × status, quality history and cost per model.
import type { FastifyPluginAsync } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { Id, QueueName } from "../../core/events/index.ts";
import { specKey } from "../../core/ids.ts";
import { TaskStatus } from "../../core/lifecycle/index.ts";
import type { GatewayContext } from "../context.ts";
import { ErrorBody } from "../errors.ts";
import { getById, notFound } from "../lookup.ts";
import { present } from "./present.ts";

const Doc = z.record(z.string(), z.unknown());
const IdParams = z.object({ id: Id });
const Statuses = Object.values(TaskStatus) as [TaskStatus, ...TaskStatus[]];

const StatusBody = z.object({ kind: z.enum(["job", "task"]), job: Doc.optional(), task: Doc.optional() });
const TasksQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
  status: z.enum(Statuses).optional(),
  queue: QueueName.optional(),
});
const QualityQuery = z.object({
  spec: z.string().max(200_000).optional().describe("the spec text, or its 16-character key"),
  job: Id.optional(),
  model: z.string().max(200).optional(),
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** A spec key as given, or the key of the spec text. */
export function specKeyOf(spec: string): string {
  return /^[A-Za-z0-9_-]{16}$/.test(spec) ? spec : specKey(spec);
}

export const statusRoutes: FastifyPluginAsync<{ ctx: GatewayContext }> = async (app, { ctx }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const q = ctx.deps.queries;
  const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody };

  r.get(
    "/v1/agents/status/:id",
    {
      schema: {
        tags: ["jobs"],
        summary: "A job's or a task's status",
        params: IdParams,
        response: { 200: StatusBody, ...errors },
      },
    },
    async (req) => {
      const found = await getById(ctx, req.params.id);
      return found.kind === "job"
        ? { kind: "job" as const, job: present(found.job) }
        : { kind: "task" as const, task: present(found.task) };
    },
  );

  r.get(
    "/v1/agents/jobs/:id/tasks",
    {
      schema: {
        tags: ["jobs"],
        summary: "A job's tasks in dispatch order, a page at a time (pass next_cursor as cursor)",
        params: IdParams,
        querystring: TasksQuery,
        response: { 200: z.object({ items: z.array(Doc), next_cursor: z.string().nullable() }), ...errors },
      },
    },
    async (req) => {
      const found = await getById(ctx, req.params.id);
      if (found.kind !== "job") throw notFound(req.params.id);
      const page = await q.listTasks({ ...req.query, job_id: req.params.id });
      return { items: page.items.map(present), next_cursor: page.next_cursor };
    },
  );

  r.get(
    "/v1/agents/queues",
    {
      schema: {
        tags: ["queues"],
        summary: "Task counts per queue × status",
        response: {
          200: z.object({
            queues: z.record(z.string(), z.record(z.string(), z.number())),
            rows: z.array(z.object({ queue: z.string(), status: z.string(), count: z.number() })),
            paused: z
              .record(z.string(), z.object({ reason: z.string(), since: z.string() }))
              .describe("paused queues, as recorded in the stream"),
            stopped: z.boolean().describe("an emergency stop is in force: no queue hands out work"),
            stop_reason: z.string().nullable().describe("why the stop in force (or the latest) was made"),
            stopped_since: z.string().nullable().describe("when the stop in force began; null while running"),
            checkpoint: z.number(),
          }),
        },
      },
    },
    async () => {
      const rows = await q.queueSummary();
      const queues: Record<string, Record<string, number>> = {};
      for (const name of QueueName.options) queues[name] = Object.fromEntries(Statuses.map((s) => [s, 0]));
      for (const row of rows) (queues[row.queue] ?? {})[row.status] = row.count;
      const system = await q.systemState();
      return {
        queues,
        rows,
        paused: system.paused,
        stopped: system.stopped,
        stop_reason: system.stop_reason,
        stopped_since: system.stopped_since,
        checkpoint: await q.checkpoint(),
      };
    },
  );

  r.get(
    "/v1/agents/quality",
    {
      schema: {
        tags: ["quality"],
        summary: "Critiques, newest first, with their averages",
        querystring: QualityQuery,
        response: {
          200: z.object({
            entries: z.array(Doc),
            averages: z.object({
              count: z.number(),
              compliance: z.number(),
              uniqueness: z.number(),
              quality: z.number(),
            }),
          }),
          400: ErrorBody,
        },
      },
    },
    async (req) => {
      const { spec, job, model, from, to, limit } = req.query;
      const entries = await q.qualityHistory({
        spec_key: spec === undefined ? undefined : specKeyOf(spec),
        job_id: job,
        model,
        from,
        to,
        limit,
      });
      const n = entries.length;
      const avg = (pick: (e: (typeof entries)[number]) => number) =>
        n === 0 ? 0 : entries.reduce((s, e) => s + pick(e), 0) / n;
      return {
        entries: entries.map(present),
        averages: {
          count: n,
          compliance: avg((e) => e.compliance),
          uniqueness: avg((e) => e.uniqueness),
          quality: avg((e) => e.quality),
        },
      };
    },
  );

  r.get(
    "/v1/agents/costs",
    {
      schema: {
        tags: ["quality"],
        summary: "Spend per model, most expensive first",
        response: { 200: z.object({ models: z.array(Doc), checkpoint: z.number() }) },
      },
    },
    async () => {
      const checkpoint = await q.checkpoint();
      return { models: (await q.costByModel()).map(present), checkpoint };
    },
  );
};
