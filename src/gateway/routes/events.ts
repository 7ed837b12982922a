// GET /v1/agents/events: the event stream over SSE, filtered by job or task, resumable by Last-Event-ID.
import type { FastifyPluginAsync } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { errorMessage } from "../../core/errors.ts";
import { Id } from "../../core/events/index.ts";
import type { GatewayContext } from "../context.ts";
import { ErrorBody } from "../errors.ts";
import { openStream, planStream, pumpEvents } from "../sse.ts";

const Query = z.object({
  job: Id.optional().describe("only this job's events (its own and its tasks')"),
  task: Id.optional().describe("only this task's events"),
  last_event_id: z.coerce
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe("resume after this stream sequence (the Last-Event-ID header wins)"),
});

const Headers = z.object({
  "last-event-id": z.coerce.number().int().nonnegative().optional(),
});

export const eventRoutes: FastifyPluginAsync<{ ctx: GatewayContext }> = async (app, { ctx }) => {
  const { deps } = ctx;
  app.withTypeProvider<ZodTypeProvider>().get(
    "/v1/agents/events",
    {
      schema: {
        tags: ["events"],
        summary: "Server-Sent Events from the AGENTS stream; `id:` is the stream sequence",
        description: [
          "Each event is a frame named by its type (`event: task.started`), its `id:` the stream sequence:",
          "reconnect with `Last-Event-ID` (or `last_event_id`) to get exactly the events after it.",
          "`task=` sends one task's whole history; `job=` the job's own and its tasks' events from its",
          "first event; no filter, every event from now on. Comment lines (`: ping`) keep it open.",
          "A job's stream (`job=`) ends with the job: once the job completed, was cancelled or was",
          "rejected and none of its tasks is still open, it sends one last frame, `event: end`, whose",
          'data is `{"job_id","status":"completed"|"cancelled"|"rejected","reason","final_seq"}`, and',
          "closes. A browser's EventSource reconnects when a stream closes: close it on `end`.",
          "Connecting (or resuming) after the job ended sends what the client has not seen, then `end`.",
        ].join(" "),
        querystring: Query,
        headers: Headers,
        response: { 400: ErrorBody },
      },
    },
    async (req, reply) => {
      const resumeAfter = req.headers["last-event-id"] ?? req.query.last_event_id;
      const filter = { job: req.query.job, task: req.query.task };
      const plan = await planStream(ctx.events.reader, filter, resumeAfter);
      reply.hijack();
      const client = openStream(
        reply.raw,
        {
          heartbeatMs: deps.config.AGENTS_SSE_HEARTBEAT_MS,
          maxBuffered: deps.config.AGENTS_SSE_MAX_BUFFERED,
        },
        (reason) => {
          ctx.metrics.sseDropped.inc({ reason });
          req.log.warn({ filter, reason }, "sse client dropped: it fell too far behind");
        },
      );
      ctx.sse.add(client);
      req.log.info({ filter, from: plan.from }, "sse client connected");
      pumpEvents(ctx.events.reader, client, filter, plan, req.log).catch((err: unknown) => {
        ctx.metrics.sseDropped.inc({ reason: "error" });
        req.log.warn({ err: errorMessage(err), filter }, "sse stream failed");
        client.close();
      });
    },
  );
};
