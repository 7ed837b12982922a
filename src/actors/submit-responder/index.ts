// The submit responder: `nats req agents.submit.request '{"spec":…,"count":…}'` answers with the job
// id. The stream captures `agents.submit` and answers every request published there with its own
// acknowledgement ({stream, seq}: no job id), first; so requests go to a sibling subject the stream
// does not capture, where this is the only answerer. It checks the submission exactly as the gateway
// does, stores it on `agents.submit` (message id = the job key, so a retried request is a duplicate,
// not a second job) and answers what the gateway's 202 answers, or the gateway's error shape.
import { randomUUID } from "node:crypto";
import { ErrorCode, type FieldIssue } from "../../core/errors.ts";
import { decodeWith, MSG_ID_HEADER, SOURCE_HEADER, Subjects, Submission } from "../../core/events/index.ts";
import type { Logger } from "../../core/ports/logger.ts";
import { acceptance, type SubmitAccepted, unknownValidators } from "../../core/submission/index.ts";
import {
  type Connection,
  JetStreamEventStore,
  type Request,
  type Served,
  serveRequests,
} from "../../nats/index.ts";

/** Queue group of the responders: with several orchestrators, one answers each request. */
export const SUBMIT_RESPONDERS = "agents-submit-responders";

export type SubmitRefused = { error: { code: string; message: string; fields?: FieldIssue[] } };

export type SubmitResponderOptions = {
  nc: Connection;
  log: Logger;
  /** Largest submission accepted (bytes), as at the gateway. */
  maxBytes: number;
  /** Validator names (and aliases) a submission may use. */
  validators: ReadonlySet<string>;
};

/** Check, store and answer one submission request. */
export async function answerSubmit(
  r: Request,
  events: JetStreamEventStore,
  o: Pick<SubmitResponderOptions, "maxBytes" | "validators">,
): Promise<SubmitAccepted | SubmitRefused> {
  const refuse = (message: string, fields?: FieldIssue[]): SubmitRefused => ({
    error: { code: ErrorCode.ValidationFailed, message, ...(fields ? { fields } : {}) },
  });
  if (r.data.byteLength > o.maxBytes)
    return {
      error: {
        code: ErrorCode.PayloadTooLarge,
        message: `submission is ${r.data.byteLength} bytes; the limit is ${o.maxBytes}`,
      },
    };
  const parsed = decodeWith(Submission, r.data);
  if (!parsed.ok)
    return refuse(
      `submission is invalid: ${parsed.issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`,
      parsed.issues,
    );
  const unknown = unknownValidators(parsed.value.validation, o.validators);
  if (unknown.length > 0) return refuse("submission names unknown validators", unknown);
  const header = r.header(MSG_ID_HEADER);
  if (header && parsed.value.idempotency_key && header !== parsed.value.idempotency_key)
    return refuse("Nats-Msg-Id and idempotency_key differ", [
      { path: "idempotency_key", message: "differs from the Nats-Msg-Id header; send one of them" },
    ]);
  const key = parsed.value.idempotency_key ?? header ?? randomUUID();
  const submission = { ...parsed.value, idempotency_key: key };
  const ack = await events.appendJson(Subjects.submit, submission, key, {
    headers: { [SOURCE_HEADER]: "nats" },
  });
  return acceptance(submission, ack);
}

/** Serve submission requests until stopped. */
export function startSubmitResponder(o: SubmitResponderOptions): Served {
  const events = new JetStreamEventStore(o.nc);
  return serveRequests(
    o.nc,
    Subjects.submitRequest,
    SUBMIT_RESPONDERS,
    async (r) => {
      const answer = await answerSubmit(r, events, o).catch((err: unknown) => ({
        error: {
          code: ErrorCode.Unavailable,
          message: `could not store the submission: ${String(err)}; try again`,
        },
      }));
      if ("job_id" in answer)
        o.log.info(
          { job_id: answer.job_id, seq: answer.submit_seq, duplicate: answer.duplicate },
          "submission request stored",
        );
      else
        o.log.warn({ code: answer.error.code, message: answer.error.message }, "submission request refused");
      return answer;
    },
    o.log,
  );
}
