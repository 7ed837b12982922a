// POST /v1/agents/submit: publish the submission as plain JSON on agents.submit (msgID = the
// idempotency key) and answer 202 at once with the job id and the first wave's task ids, which are
// derived from the key exactly as the orchestrator derives them.
import { randomUUID } from "node:crypto";
import type { FastifyPluginAsync } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { ErrorCode } from "../../core/errors.ts";
import { SOURCE_HEADER, Subjects, Submission } from "../../core/events/index.ts";
import { acceptance, SubmitAccepted, unknownValidators } from "../../core/submission/index.ts";
import { VALIDATOR_NAMES } from "../../validation/index.ts";
import type { GatewayContext } from "../context.ts";
import { ErrorBody, HttpError } from "../errors.ts";

const IdempotencyKey = z.string().min(1).max(200);

const known = new Set<string>(VALIDATOR_NAMES);

export const submitRoutes: FastifyPluginAsync<{ ctx: GatewayContext }> = async (app, { ctx }) => {
  app.withTypeProvider<ZodTypeProvider>().post(
    "/v1/agents/submit",
    {
      schema: {
        tags: ["jobs"],
        summary: "Submit a job; the same Idempotency-Key always names the same job",
        body: Submission,
        headers: z.object({ "idempotency-key": IdempotencyKey.optional() }),
        response: { 202: SubmitAccepted, 400: ErrorBody, 401: ErrorBody, 413: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      const header = req.headers["idempotency-key"];
      const body = req.body;
      if (header && body.idempotency_key && header !== body.idempotency_key)
        throw new HttpError(ErrorCode.ValidationFailed, "Idempotency-Key and idempotency_key differ", [
          { path: "idempotency_key", message: "differs from the Idempotency-Key header; send one of them" },
        ]);
      const issues = unknownValidators(body.validation, known);
      if (issues.length > 0)
        throw new HttpError(ErrorCode.ValidationFailed, "submission names unknown validators", issues);
      const key = header ?? body.idempotency_key ?? randomUUID();
      const submission = { ...body, idempotency_key: key };
      const ack = await ctx.events.appendJson(Subjects.submit, submission, key, {
        headers: { [SOURCE_HEADER]: "gateway" },
      });
      ctx.metrics.submissions.inc({ outcome: ack.duplicate ? "duplicate" : "new" });
      const accepted = acceptance(submission, ack);
      req.log.info(
        { job_id: accepted.job_id, seq: ack.seq, duplicate: ack.duplicate },
        "submission published",
      );
      const system = await ctx.deps.queries.systemState().catch(() => undefined);
      const warning = system?.stopped
        ? `an emergency stop is in force since ${system.stopped_since} (${system.stop_reason}): the job is accepted and waits until resume`
        : undefined;
      return reply
        .code(202)
        .header("location", accepted.status_url)
        .send({ ...accepted, ...(warning ? { warning } : {}) });
    },
  );
};
