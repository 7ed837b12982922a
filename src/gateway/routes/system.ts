// GET /v1/agents/system (is an emergency stop in force, which queues are paused: the state recorded
// in the stream) and POST /v1/agents/queues/{queue}/pause|unpause (plain JSON on
// agents.control.pause|unpause, exactly what `nats pub` would send; the orchestrator records
// queue.paused / queue.resumed and workers hear the command at once).
import { randomUUID } from "node:crypto";
import type { FastifyPluginAsync } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { ControlQueue, QueueName, Subjects } from "../../core/events/index.ts";
import type { SystemStateDoc } from "../../projections/system-state/evolve.ts";
import type { GatewayContext } from "../context.ts";
import { ErrorBody } from "../errors.ts";
import { SystemView } from "../views/schemas.ts";

const Published = z.object({
  subject: z.string(),
  seq: z.number().int(),
  command: z.record(z.string(), z.unknown()),
});

/** The system state as the API shows it: paused queues as a list in queue order. */
export function systemView(s: SystemStateDoc, checkpoint: number): SystemView {
  const paused = QueueName.options.flatMap((queue) => {
    const p = s.paused[queue];
    return p ? [{ queue, reason: p.reason, since: p.since }] : [];
  });
  return {
    stopped: s.stopped,
    stop_reason: s.stop_reason,
    stopped_since: s.stopped_since,
    resumed_at: s.resumed_at,
    resume_reason: s.resume_reason,
    paused,
    checkpoint,
  };
}

/** The recorded system state now, as the API shows it (status, /health, queues, submit). */
export async function currentSystem(ctx: GatewayContext): Promise<SystemView> {
  const q = ctx.deps.queries;
  const checkpoint = await q.checkpoint();
  return systemView(await q.systemState(), checkpoint);
}

export const systemRoutes: FastifyPluginAsync<{ ctx: GatewayContext }> = async (app, { ctx }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    "/v1/agents/system",
    {
      schema: {
        tags: ["control"],
        summary: "Whether an emergency stop is in force (reason, since) and which queues are paused",
        response: { 200: SystemView, 401: ErrorBody },
      },
    },
    async () => currentSystem(ctx),
  );

  for (const verb of ["pause", "unpause"] as const) {
    r.post(
      `/v1/agents/queues/:queue/${verb}`,
      {
        schema: {
          tags: ["control"],
          summary:
            verb === "pause"
              ? "Pause a queue: workers finish what runs and take no new work from it"
              : "Unpause a queue",
          params: z.object({ queue: QueueName }),
          body: z
            .object({ reason: z.string().max(2000).optional() })
            .strict()
            .nullish(),
          response: { 202: Published, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
        },
      },
      async (req, reply) => {
        const reason = verb === "pause" ? req.body?.reason : undefined;
        const command = ControlQueue.parse({ queue: req.params.queue, ...(reason ? { reason } : {}) });
        const subject = verb === "pause" ? Subjects.controlPause : Subjects.controlUnpause;
        const ack = await ctx.events.appendJson(subject, command, randomUUID());
        req.log.warn({ verb, queue: command.queue }, `queue ${verb} requested`);
        return reply.code(202).send({ subject, seq: ack.seq, command });
      },
    );
  }
};
