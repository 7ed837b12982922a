import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TimeoutError } from "@nats-io/transport-node";
import { ErrorCode, InputValidationError, NotFoundError } from "../../src/core/errors.ts";
import { HttpError, STATUS_OF, toApiError } from "../../src/gateway/errors.ts";

describe("the error table", () => {
  it("maps every system error code to a status", () => {
    for (const code of Object.values(ErrorCode)) assert.ok(STATUS_OF[code] >= 400, code);
  });

  it("maps the codes the API promises", () => {
    assert.equal(STATUS_OF.VALIDATION_FAILED, 400);
    assert.equal(STATUS_OF.UNAUTHORIZED, 401);
    assert.equal(STATUS_OF.NOT_FOUND, 404);
    assert.equal(STATUS_OF.NOT_READY, 409);
    assert.equal(STATUS_OF.PAYLOAD_TOO_LARGE, 413);
    assert.equal(STATUS_OF.RATE_LIMITED, 429);
    assert.equal(STATUS_OF.UNAVAILABLE, 503);
  });

  it("turns system errors, edge errors and fastify errors into code, message and fields", () => {
    assert.deepEqual(toApiError(new NotFoundError("job x")), {
      code: "NOT_FOUND",
      message: "job x was not found",
    });
    const v = toApiError(new InputValidationError([{ path: "count", message: "too small" }]));
    assert.equal(v.code, "VALIDATION_FAILED");
    assert.deepEqual(v.fields, [{ path: "count", message: "too small" }]);
    assert.equal(toApiError(new HttpError(ErrorCode.Unauthorized, "no")).code, "UNAUTHORIZED");
    const tooLarge = Object.assign(new Error("too large"), {
      code: "FST_ERR_CTP_BODY_TOO_LARGE",
      statusCode: 413,
    });
    assert.equal(toApiError(tooLarge).code, "PAYLOAD_TOO_LARGE");
    assert.equal(
      toApiError(new Error("boom")).code,
      "INTERNAL",
      "unknown errors are internal, message hidden",
    );
    assert.equal(toApiError(new Error("boom")).message, "internal error");
    assert.equal(toApiError(new TimeoutError()).code, "UNAVAILABLE", "NATS not answering is 503, not 500");
  });
});
