// Reads the Claude CLI's `--output-format stream-json` protocol: one JSON message per line on stdout
// (the SDK's SDKMessage union). Lines that are not JSON (warnings, banners) are skipped; each message
// kind used here is validated with zod at this edge. The schemas follow @anthropic-ai/claude-agent-sdk's
// types (SDKSystemMessage, SDKAssistantMessage, SDKRateLimitEvent, SDKResultMessage); a type test
// (test/executors/stream-json-types.unit.spec.ts) checks that every SDK message of those kinds fits them.
import { z } from "zod";
import { parseJson } from "./text.ts";

const Num = z.number().nonnegative();

const UsageSchema = z.object({
  input_tokens: Num.default(0),
  output_tokens: Num.default(0),
  cache_read_input_tokens: Num.nullish(),
  cache_creation_input_tokens: Num.nullish(),
});

/** One model's totals in a result's modelUsage (SDK ModelUsage). */
const ModelUsageSchema = z.object({
  inputTokens: Num.default(0),
  outputTokens: Num.default(0),
  cacheReadInputTokens: Num.default(0),
  cacheCreationInputTokens: Num.default(0),
  thinkingTokens: Num.optional(),
  costUSD: Num.default(0),
});

/** A tool call the CLI refused (SDK SDKPermissionDenial). */
const DenialSchema = z.object({
  tool_name: z.string(),
  tool_use_id: z.string(),
  tool_input: z.record(z.string(), z.unknown()).default({}),
});

/** The final message of a run (SDK SDKResultSuccess | SDKResultError): check both `subtype` and `is_error`. */
export const ResultEventSchema = z.object({
  type: z.literal("result"),
  subtype: z.string(),
  is_error: z.boolean(),
  /** Only on subtype "success". */
  result: z.string().optional(),
  /** Only on the error subtypes (error_during_execution, error_max_turns, …). */
  errors: z.array(z.string()).optional(),
  api_error_status: z.number().nullish(),
  session_id: z.string().optional(),
  total_cost_usd: Num.optional(),
  num_turns: Num.optional(),
  usage: UsageSchema.optional(),
  modelUsage: z.record(z.string(), ModelUsageSchema).optional(),
  permission_denials: z.array(DenialSchema).optional(),
  stop_reason: z.string().nullish(),
});
export type ResultEvent = z.infer<typeof ResultEventSchema>;

export const InitEventSchema = z.object({
  type: z.literal("system"),
  subtype: z.literal("init"),
  model: z.string().optional(),
  session_id: z.string().optional(),
  permissionMode: z.string().optional(),
  apiKeySource: z.string().optional(),
});

/** One assistant message: the CLI sends one per content block, blocks of one response share message.id. */
export const AssistantEventSchema = z.object({
  type: z.literal("assistant"),
  /** Set on a synthetic message the CLI writes for an API error (authentication_failed, rate_limit, …). */
  error: z.string().optional(),
  parent_tool_use_id: z.string().nullish(),
  message: z.object({
    id: z.string().optional(),
    content: z.array(z.object({ type: z.string(), text: z.string().optional() })).default([]),
    usage: z.object({ output_tokens: Num.nullish() }).nullish(),
  }),
});

/** Subscription limits (SDK SDKRateLimitEvent); `resetsAt` is in unix seconds. */
export const RateLimitEventSchema = z.object({
  type: z.literal("rate_limit_event"),
  rate_limit_info: z.object({
    status: z.enum(["allowed", "allowed_warning", "rejected"]),
    resetsAt: z.number().optional(),
    rateLimitType: z.string().optional(),
    utilization: z.number().optional(),
  }),
});

export type ClaudeRateLimit = z.infer<typeof RateLimitEventSchema>["rate_limit_info"];

export type StreamState = {
  model?: string | undefined;
  session_id?: string | undefined;
  permission_mode?: string | undefined;
  /** Model turns: distinct assistant message ids of the main agent (not one per content block). */
  turns: number;
  lastText?: string | undefined;
  /** The last API error an assistant message carried, with its text. */
  assistantError?: { error: string; text: string } | undefined;
  /** The last subscription limit the CLI reported. */
  rateLimit?: ClaudeRateLimit | undefined;
  result?: ResultEvent | undefined;
  lines: number;
};

export type AssistantTurn = { turns: number; text: string; output_tokens?: number | undefined };

/** A line-by-line parser fed with stdout chunks; calls `onAssistant` once per assistant message. */
export function createStreamJsonParser(onAssistant: (turn: AssistantTurn) => void) {
  const decoder = new TextDecoder();
  const state: StreamState = { turns: 0, lines: 0 };
  const seen = new Set<string>();
  let pending = "";

  const onAssistantMessage = (a: z.infer<typeof AssistantEventSchema>): void => {
    const main = !a.parent_tool_use_id;
    const id = a.message.id;
    // A response's blocks arrive as separate messages with one id: one turn, not one per block.
    if (main && (id === undefined || !seen.has(id))) {
      if (id !== undefined) seen.add(id);
      state.turns++;
    }
    const text = a.message.content
      .map((c) => c.text ?? "")
      .join("")
      .trim();
    if (main && text) state.lastText = text;
    if (a.error) state.assistantError = { error: a.error, text };
    const output_tokens = a.message.usage?.output_tokens ?? undefined;
    onAssistant({ turns: state.turns, text, output_tokens });
  };

  const handleLine = (line: string): void => {
    if (!line.trim()) return;
    state.lines++;
    const event = parseJson(line);
    if (typeof event !== "object" || event === null || !("type" in event)) return;
    switch (event.type) {
      case "system": {
        const init = InitEventSchema.safeParse(event);
        if (init.success) {
          state.model = init.data.model;
          state.session_id = init.data.session_id;
          state.permission_mode = init.data.permissionMode;
        }
        return;
      }
      case "assistant": {
        const a = AssistantEventSchema.safeParse(event);
        if (a.success) onAssistantMessage(a.data);
        return;
      }
      case "rate_limit_event": {
        const r = RateLimitEventSchema.safeParse(event);
        if (r.success) state.rateLimit = r.data.rate_limit_info;
        return;
      }
      case "result": {
        const result = ResultEventSchema.safeParse(event);
        if (result.success) state.result = result.data;
        return;
      }
      default:
        return;
    }
  };

  return {
    push(chunk: Uint8Array | string): void {
      pending += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) handleLine(line);
    },
    end(): StreamState {
      pending += decoder.decode();
      handleLine(pending);
      pending = "";
      return state;
    },
  };
}
