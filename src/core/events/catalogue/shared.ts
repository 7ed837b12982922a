// Value schemas shared by several events: task types, queues, bands, usage, references.
import { z } from "zod";

export const SCHEMA_VERSION = 1;

export const TaskType = z.enum(["generator", "critic", "reviser", "continuation"]);
export type TaskType = z.infer<typeof TaskType>;

export const QueueName = z.enum(["standard", "heavy", "critic"]);
export type QueueName = z.infer<typeof QueueName>;

/** Priority bands of the work stream; workers favour higher bands without starving lower ones. */
export const Band = z.enum(["high", "normal", "low"]);
export type Band = z.infer<typeof Band>;

export const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, "must use only letters, digits, '-' and '_' (it is a subject token)");

/**
 * A model name as providers spell them: `claude-sonnet-4-5`, `gpt-4o-2024-08-06`, `max/opus`,
 * `openrouter/meta-llama/llama-3.1-70b:free`, `ollama/qwen2.5:7b`, `claude-3-5-sonnet@20240620`.
 * It reaches agent command lines, so it starts with a letter or digit (never `-`, which a CLI would
 * read as a flag) and holds only letters, digits and `. _ : / @ + -` (no spaces, `=`, quotes or
 * shell characters).
 */
export const ModelName = z
  .string()
  .min(1)
  .max(200)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$/,
    "must start with a letter or digit and use only letters, digits and . _ : / @ + - (e.g. claude-sonnet-4-5, ollama/qwen2.5:7b)",
  );

/** Tokens one agent run used, as executors report it and events carry it. */
export const UsageSchema = z.object({
  /** Input tokens not read from a cache (Anthropic's meaning; OpenAI's prompt_tokens minus cached_tokens). */
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  cache_read_input_tokens: z.number().int().nonnegative().optional(),
  cache_creation_input_tokens: z.number().int().nonnegative().optional(),
  /** Reasoning (thinking) tokens, already counted in output_tokens. */
  reasoning_tokens: z.number().int().nonnegative().optional(),
});
/** The one Usage type (executors, events and read models). */
export type Usage = z.infer<typeof UsageSchema>;

/** Key of an object in the outputs bucket (outputs, prompts, handoff context). */
export const ObjectRef = z.string().min(1).max(512);

/**
 * Outputs up to this size (UTF-8 bytes) travel inline in their outcome event, with no object
 * written and none read back by the critic, the gateway or a later task; larger ones are stored.
 * Most answers are a few KB, so most lifecycles skip the object store. The bound keeps events
 * small: a critic task carries the reviewed output and up to three earlier ones as attachments,
 * so its task.created stays near 160 KB at most, far under the events stream's 1 MiB per message.
 * (findOutput and attachmentText in src/core/ports/artifact-store.ts read either.)
 */
export const INLINE_OUTPUT_BYTES = 32 * 1024;

/** An output carried in its event (a UTF-8 byte count is never below the string's length). */
export const InlineOutput = z.string().max(INLINE_OUTPUT_BYTES);

/** Text either inline (small) or stored in the object bucket (large). */
export const TextRef = z.union([
  z.object({ inline: z.string() }).strict(),
  z.object({ ref: ObjectRef, bytes: z.number().int().nonnegative() }).strict(),
]);
export type TextRef = z.infer<typeof TextRef>;

/** Why a run failed: the one failure-reason type (executors report a subset, see ExecutorFailure). */
export const FailureReason = z.enum([
  "timeout",
  "signal",
  "exit_code",
  "bad_output",
  "agent_error",
  "http",
  "aborted",
  "spawn",
  "auth",
  "quota",
  "refused",
  "not_allowed",
  "validation",
  "critique_unparseable",
  "internal",
]);
export type FailureReason = z.infer<typeof FailureReason>;
