// Reads the Claude CLI `--output-format stream-json` protocol: one JSON event per line on stdout.
// Lines that are not JSON (warnings, banners) are skipped; the `result` event is validated with zod.

import { z } from "zod";
import { parseJson } from "./text.ts";

const UsageSchema = z.object({
  input_tokens: z.number().default(0),
  output_tokens: z.number().default(0),
  cache_read_input_tokens: z.number().optional(),
  cache_creation_input_tokens: z.number().optional(),
});

/** The final event of a run: its answer, cost, usage and how it ended (`subtype`, `is_error`). */
export const ResultEventSchema = z.object({
  type: z.literal("result"),
  subtype: z.string(),
  is_error: z.boolean(),
  result: z.string().optional(),
  session_id: z.string().optional(),
  total_cost_usd: z.number().optional(),
  num_turns: z.number().optional(),
  usage: UsageSchema.optional(),
});
export type ResultEvent = z.infer<typeof ResultEventSchema>;

const InitEventSchema = z.object({
  type: z.literal("system"),
  subtype: z.literal("init"),
  model: z.string().optional(),
  session_id: z.string().optional(),
});

const AssistantEventSchema = z.object({
  type: z.literal("assistant"),
  message: z.object({
    content: z.array(z.object({ type: z.string(), text: z.string().optional() })).default([]),
    usage: z.object({ output_tokens: z.number().optional() }).optional(),
  }),
});

export type StreamState = {
  model?: string | undefined;
  session_id?: string | undefined;
  turns: number;
  lastText?: string | undefined;
  result?: ResultEvent | undefined;
  lines: number;
};

export type AssistantTurn = { turns: number; text: string; output_tokens?: number | undefined };

/** A line-by-line parser fed with stdout chunks; calls `onAssistant` once per assistant message. */
export function createStreamJsonParser(onAssistant: (turn: AssistantTurn) => void) {
  const decoder = new TextDecoder();
  const state: StreamState = { turns: 0, lines: 0 };
  let pending = "";

  const handleLine = (line: string): void => {
    if (!line.trim()) return;
    state.lines++;
    const event = parseJson(line);
    if (typeof event !== "object" || event === null || !("type" in event)) return;
    const init = InitEventSchema.safeParse(event);
    if (init.success) {
      state.model = init.data.model;
      state.session_id = init.data.session_id;
      return;
    }
    const assistant = AssistantEventSchema.safeParse(event);
    if (assistant.success) {
      state.turns++;
      const text = assistant.data.message.content
        .map((c) => c.text ?? "")
        .join("")
        .trim();
      if (text) state.lastText = text;
      onAssistant({ turns: state.turns, text, output_tokens: assistant.data.message.usage?.output_tokens });
      return;
    }
    const result = ResultEventSchema.safeParse(event);
    if (result.success) state.result = result.data;
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
