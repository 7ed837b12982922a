// The one table from error code to HTTP status, and the one handler that turns every failure into
// `{ error: { code, message, fields? } }`.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { z } from "zod";
import { AgentsError, ErrorCode, type FieldIssue, InputValidationError } from "../core/errors.ts";
import { isNatsUnavailable } from "../nats/connection.ts";

/** Codes only the HTTP edge produces, beside the system's own ErrorCode values. */
export const HttpCode = {
  Forbidden: "FORBIDDEN",
  UnsupportedMediaType: "UNSUPPORTED_MEDIA_TYPE",
  MethodNotAllowed: "METHOD_NOT_ALLOWED",
} as const;
export type HttpCode = (typeof HttpCode)[keyof typeof HttpCode];
export type ApiErrorCode = ErrorCode | HttpCode;

/** Every error code and the HTTP status it answers with. */
export const STATUS_OF: Record<ApiErrorCode, number> = {
  [ErrorCode.ValidationFailed]: 400,
  [ErrorCode.Unauthorized]: 401,
  [HttpCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [HttpCode.MethodNotAllowed]: 405,
  [ErrorCode.Concurrency]: 409,
  [ErrorCode.IllegalTransition]: 409,
  [ErrorCode.NotReady]: 409,
  [ErrorCode.AlreadyEnded]: 409,
  [ErrorCode.NotRetryable]: 409,
  [ErrorCode.PayloadTooLarge]: 413,
  [HttpCode.UnsupportedMediaType]: 415,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.ConfigInvalid]: 500,
  [ErrorCode.Internal]: 500,
  [ErrorCode.Executor]: 502,
  [ErrorCode.Unavailable]: 503,
};

/** The body of every 4xx/5xx answer. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** An error raised at the HTTP edge with one of the codes above. */
export class HttpError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly fields?: FieldIssue[],
  ) {
    super(message);
  }
}

// Fastify's own errors, by their code, as ours.
const FASTIFY_CODES: Record<string, ApiErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ErrorCode.PayloadTooLarge,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: HttpCode.UnsupportedMediaType,
  FST_ERR_CTP_EMPTY_JSON_BODY: ErrorCode.ValidationFailed,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ErrorCode.ValidationFailed,
  FST_ERR_VALIDATION: ErrorCode.ValidationFailed,
};

/** Turn anything thrown into a code, a message and (for bad input) the fields at fault. */
export function toApiError(err: unknown): { code: ApiErrorCode; message: string; fields?: FieldIssue[] } {
  if (err instanceof HttpError) return { code: err.code, message: err.message, fields: err.fields };
  if (err instanceof InputValidationError)
    return { code: err.code, message: err.message, fields: err.issues };
  if (err instanceof AgentsError) return { code: err.code, message: err.message };
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = (err as { validationContext?: string }).validationContext ?? "request";
    const fields = err.validation.map((v) => fieldOf(v.instancePath, v.message ?? "is invalid", v.params));
    const list = fields.map((f) => `${f.path || "(root)"}: ${f.message}`).join("; ");
    return { code: ErrorCode.ValidationFailed, message: `${where} is invalid: ${list}`, fields };
  }
  if (isNatsUnavailable(err))
    return {
      code: ErrorCode.Unavailable,
      message: `NATS is not answering (${(err as Error).message}); retry shortly`,
    };
  const fe = err as Partial<FastifyError>;
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return { code: mapped, message: fe.message ?? mapped };
  if (err instanceof SyntaxError && fe.statusCode === 400)
    return { code: ErrorCode.ValidationFailed, message: `body is not valid JSON: ${err.message}` };
  if (typeof fe.statusCode === "number" && fe.statusCode >= 400 && fe.statusCode < 500)
    return { code: codeForStatus(fe.statusCode), message: fe.message ?? "bad request" };
  return { code: ErrorCode.Internal, message: "internal error" };
}

// A zod issue as a field: its path with dots; unknown keys are named one by one.
function fieldOf(instancePath: string, message: string, params: unknown): FieldIssue {
  const path = instancePath.replace(/^\//, "").replaceAll("/", ".");
  const keys = (params as { keys?: unknown })?.keys;
  if (Array.isArray(keys) && keys.length > 0) {
    const named = keys.map((k) => (path ? `${path}.${String(k)}` : String(k))).join(", ");
    return { path: named, message: "is not a known field" };
  }
  return { path, message };
}

function codeForStatus(status: number): ApiErrorCode {
  const hit = (Object.entries(STATUS_OF) as Array<[ApiErrorCode, number]>).find(([, s]) => s === status);
  return hit?.[0] ?? ErrorCode.ValidationFailed;
}

/** Send the error shape with the status from the table. */
export function sendError(reply: FastifyReply, code: ApiErrorCode, message: string, fields?: FieldIssue[]) {
  const body: ErrorBody = { error: { code, message, ...(fields && fields.length > 0 ? { fields } : {}) } };
  return reply.code(STATUS_OF[code]).type("application/json").send(body);
}

/** Install the error and not-found handlers: the only places an error becomes a response. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const e = toApiError(err);
    const status = STATUS_OF[e.code];
    if (status >= 500) {
      req.log.error({ err, code: e.code }, "request failed");
      const message =
        e.code === ErrorCode.Internal ? `internal error (request ${req.id}); see the gateway log` : e.message;
      return sendError(reply, e.code, message);
    }
    req.log.info({ code: e.code, reason: e.message }, "request refused");
    return sendError(reply, e.code, e.message, e.fields);
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, ErrorCode.NotFound, `no route ${req.method} ${req.url.split("?")[0]}`),
  );
}
