// POST /v1/agents/tasks/{id}/retry: queue a dead-lettered task once more. Plain JSON on
// agents.control.retry, exactly what `nats pub` would send; the orchestrator records job.reopened
// (when the task's iteration had ended) and task.requeued, and the task runs again.
import { randomUUID } from "node:crypto";
import type { FastifyPluginAsync } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { ErrorCode } from "../../core/errors.ts";
import { ControlRetry, Id, Subjects } from "../../core/events/index.ts";
import { TaskStatus } from "../../core/lifecycle/index.ts";
import type { GatewayContext } from "../context.ts";
import { ErrorBody, HttpError } from "../errors.ts";
import { locate, notFound } from "../lookup.ts";

const Published = z.object({
  subject: z.string(),
  seq: z.number().int(),
  command: z.record(z.string(), z.unknown()),
});

export const retryRoutes: FastifyPluginAsync<{ ctx: GatewayContext }> = async (app, { ctx }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    "/v1/agents/tasks/:id/retry",
    {
      schema: {
        tags: ["control"],
        summary: "Retry a dead-lettered task: one more attempt, its job re-opened if it had completed",
        description:
          "Publishes agents.control.retry; the orchestrator records job.reopened (when the task's " +
          "iteration had ended) and task.requeued, and the task runs again. 409 unless the task is " +
          "dead_lettered and its job was not cancelled.",
        params: z.object({ id: Id }),
        body: z
          .object({ reason: z.string().max(2000).optional() })
          .strict()
          .nullish(),
        response: {
          202: Published,
          400: ErrorBody,
          401: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const id = req.params.id;
      const located = await locate(ctx, id);
      if (located?.kind !== "task") throw notFound(id);
      const task = located.found?.kind === "task" ? located.found.task : undefined;
      if (task?.status !== TaskStatus.DeadLettered)
        throw new HttpError(
          ErrorCode.NotRetryable,
          `task ${id} is ${task?.status ?? "not known yet"}; only a dead_lettered task can be retried`,
        );
      const job = await ctx.deps.queries.getJob(task.job_id);
      if (job?.status === "cancelled")
        throw new HttpError(
          ErrorCode.NotRetryable,
          `task ${id} belongs to job ${task.job_id}, which was cancelled`,
        );
      const reason = req.body?.reason;
      const command = ControlRetry.parse({ task_id: id, ...(reason ? { reason } : {}) });
      const ack = await ctx.events.appendJson(Subjects.controlRetry, command, randomUUID());
      req.log.info({ task_id: id }, "retry requested");
      return reply.code(202).send({ subject: Subjects.controlRetry, seq: ack.seq, command });
    },
  );
};
