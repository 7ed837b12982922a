// The stream-json schemas the claude executor parses with, checked against the SDK's own types
// (@anthropic-ai/claude-agent-sdk): every message of those kinds the real CLI can write must be
// accepted, and our permission modes are exactly the SDK's. `npm run typecheck` fails on a drift;
// the runtime cases parse messages built by the typed fixture (test/fixtures/claude-messages.ts).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type {
  SDKAssistantMessage,
  SDKRateLimitEvent,
  SDKResultMessage,
  SDKSystemMessage,
  PermissionMode as SdkPermissionMode,
} from "@anthropic-ai/claude-agent-sdk";
import type { z } from "zod";
import type { PermissionMode } from "../../src/core/events/catalogue/submission.ts";
import {
  AssistantEventSchema,
  InitEventSchema,
  RateLimitEventSchema,
  ResultEventSchema,
} from "../../src/executors/stream-json.ts";
import {
  assistant,
  init,
  modelUsage,
  rateLimitEvent,
  resultError,
  resultSuccess,
  resultUsage,
  textBlock,
  toolUseBlock,
} from "../fixtures/claude-messages.ts";

type Fits<A, B> = [A] extends [B] ? true : false;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

// Compile-time: an SDK message is always a valid input of the schema that reads it.
const resultFits: Fits<SDKResultMessage, z.input<typeof ResultEventSchema>> = true;
const assistantFits: Fits<SDKAssistantMessage, z.input<typeof AssistantEventSchema>> = true;
const initFits: Fits<SDKSystemMessage, z.input<typeof InitEventSchema>> = true;
const rateLimitFits: Fits<SDKRateLimitEvent, z.input<typeof RateLimitEventSchema>> = true;
const modesSame: Same<PermissionMode, SdkPermissionMode> = true;

describe("the stream-json schemas against the SDK's types", () => {
  it("given the compile-time checks, then every SDK message kind read here fits its schema", () => {
    assert.deepEqual(
      [resultFits, assistantFits, initFits, rateLimitFits, modesSame],
      [true, true, true, true, true],
    );
  });

  it("given a success result with modelUsage and denials, then it parses with both", () => {
    const m = resultSuccess({
      session_id: "s",
      result: "done",
      num_turns: 2,
      usage: resultUsage(10, 5),
      modelUsage: { "claude-sonnet-4-5": modelUsage(10, 5, 0.01) },
      permission_denials: [{ tool_name: "Bash", tool_use_id: "t1", tool_input: { command: "ls" } }],
    });
    const r = ResultEventSchema.parse(m);
    assert.equal(r.result, "done");
    assert.equal(r.modelUsage?.["claude-sonnet-4-5"]?.costUSD, 0.01);
    assert.equal(r.permission_denials?.[0]?.tool_name, "Bash");
  });

  it("given an error subtype, then errors[] are read and there is no result", () => {
    const m = resultError({
      session_id: "s",
      subtype: "error_during_execution",
      errors: ["boom"],
      num_turns: 1,
      usage: resultUsage(0, 0),
      modelUsage: {},
    });
    const r = ResultEventSchema.parse(m);
    assert.deepEqual(r.errors, ["boom"]);
    assert.equal(r.result, undefined);
  });

  it("given an assistant message per block and a rate limit event, then each parses", () => {
    const a = assistant({
      session_id: "s",
      message_id: "m1",
      model: "x",
      block: toolUseBlock("t", "Read", {}),
    });
    assert.equal(AssistantEventSchema.parse(a).message.id, "m1");
    const e = assistant({
      session_id: "s",
      message_id: "m2",
      model: "<synthetic>",
      block: textBlock("no"),
      error: "rate_limit",
    });
    assert.equal(AssistantEventSchema.parse(e).error, "rate_limit");
    const rl = RateLimitEventSchema.parse(
      rateLimitEvent("s", { status: "rejected", resetsAt: 1_800_000_000 }),
    );
    assert.equal(rl.rate_limit_info.resetsAt, 1_800_000_000);
    assert.equal(
      InitEventSchema.parse(init({ session_id: "s", model: "m", permissionMode: "plan" })).permissionMode,
      "plan",
    );
  });
});
