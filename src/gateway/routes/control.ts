// Commands: cancel a job or task, emergency stop, resume. Each is the same plain JSON a `nats pub`
// would send, published on agents.control.* (JetStream records it; workers hear it at once).
import { randomUUID } from "node:crypto";
import type { FastifyPluginAsync } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { ErrorCode } from "../../core/errors.ts";
import { ControlCancel, ControlStopResume, Id, Subjects } from "../../core/events/index.ts";
import { isFinal } from "../../core/lifecycle/index.ts";
import type { GatewayContext } from "../context.ts";
import { ErrorBody, HttpError } from "../errors.ts";
import { type Found, locate, notFound } from "../lookup.ts";

const Reason = z.object({ reason: z.string().max(2000).optional() }).strict();
const Published = z.object({
  subject: z.string(),
  seq: z.number().int(),
  command: z.record(z.string(), z.unknown()),
});
const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 429: ErrorBody };
const ENDED_JOB = new Set<string>(["completed", "cancelled", "rejected"]);

/** The status of a job or task that has ended, or undefined while it is open. */
function endedStatus(found: Found): string | undefined {
  if (found.kind === "job") return ENDED_JOB.has(found.job.status) ? found.job.status : undefined;
  return isFinal(found.task.status) ? found.task.status : undefined;
}

export const controlRoutes: FastifyPluginAsync<{ ctx: GatewayContext }> = async (app, { ctx }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  async function publish(subject: string, command: Record<string, unknown>) {
    const ack = await ctx.events.appendJson(subject, command, randomUUID());
    return { subject, seq: ack.seq, command };
  }

  r.post(
    "/v1/agents/:id/cancel",
    {
      schema: {
        tags: ["control"],
        summary: "Cancel a job (every open task) or one task; 409 when it has already ended",
        params: z.object({ id: Id }),
        body: Reason.nullish(),
        response: { 202: Published, ...errors, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      const id = req.params.id;
      // An id the projections still lag behind on is known from the stream: the cancel goes through
      // (the orchestrator ignores what has ended).
      const located = await locate(ctx, id);
      if (!located) throw notFound(id);
      const { kind, found } = located;
      const ended = found && endedStatus(found);
      if (ended)
        throw new HttpError(
          ErrorCode.AlreadyEnded,
          `${kind} ${id} has already ended (${ended}); nothing to cancel`,
        );
      const reason = req.body?.reason;
      const command = ControlCancel.parse({
        ...(kind === "job" ? { job_id: id } : { task_id: id }),
        ...(reason ? { reason } : {}),
      });
      req.log.info({ [`${kind}_id`]: id }, "cancel requested");
      return reply.code(202).send(await publish(Subjects.controlCancel, command));
    },
  );

  for (const verb of ["stop", "resume"] as const) {
    r.post(
      `/v1/agents/control/${verb}`,
      {
        schema: {
          tags: ["control"],
          summary:
            verb === "stop"
              ? "Emergency stop: workers stop running agents and take no work until resumed"
              : "Resume after an emergency stop",
          body: Reason.nullish(),
          response: { 202: Published, ...errors },
        },
      },
      async (req, reply) => {
        const command = ControlStopResume.parse(req.body ?? {});
        req.log.warn({ verb, reason: command.reason }, `control ${verb}`);
        const subject = verb === "stop" ? Subjects.controlStop : Subjects.controlResume;
        return reply.code(202).send(await publish(subject, command));
      },
    );
  }
};
