// A job submission: the body of POST /v1/agents/submit and of a message on `agents.submit`.
import { z } from "zod";
import { ModelName } from "./shared.ts";

/** `{type, params}` as llm_call's validators take it; names are checked against the registry. */
export const ValidationSpecInput = z.object({
  type: z.string().min(1).max(64),
  params: z.record(z.string(), z.unknown()).optional(),
});

export const MAX_SPEC_CHARS = 200_000;
/** The largest fixed count; larger runs are `infinite` with `max_iterations`. */
export const MAX_COUNT = 10_000;
const COUNT_RULE = `an integer 1–${MAX_COUNT} or "infinite"`;

/**
 * The Claude CLI's permission modes (`--permission-mode`), exactly the SDK's PermissionMode (a test
 * checks the two are equal). In `-p` mode tools the mode does not allow are refused.
 */
export const PermissionMode = z.enum([
  "default",
  "acceptEdits",
  "bypassPermissions",
  "plan",
  "dontAsk",
  "auto",
]);
export type PermissionMode = z.infer<typeof PermissionMode>;

/** A tool rule as the CLI takes it (`Edit`, `Bash(npm test)`, `Bash(git log:*)`): one CLI word, never a flag. */
export const ToolRule = z
  .string()
  .min(1)
  .max(200)
  .regex(
    /^[A-Za-z][A-Za-z0-9_-]*(\([^()\n\r]*\))?$/,
    "must be a tool name, optionally with a rule in parentheses (e.g. Bash(npm test))",
  );

/** How the agent runs, per submission (over the worker's defaults). */
export const AgentOptions = z
  .object({
    /** The Claude CLI's permission mode; refused unless the operator allows submissions to set it. */
    permission_mode: PermissionMode.optional(),
    /** Tools allowed without asking (`--allowedTools`); refused unless the operator allows it. */
    allowed_tools: z.array(ToolRule).max(50).optional(),
    /** Most agent turns (`--max-turns`); a run that reaches it hands off to a continuation. */
    max_turns: z.number().int().min(1).max(1000).optional(),
    /** Added to the agent's system prompt (claude: `--append-system-prompt`; openai: a system message). */
    system_prompt: z.string().min(1).max(50_000).optional(),
    /** Output cap in tokens (openai: `max_tokens`; claude: CLAUDE_CODE_MAX_OUTPUT_TOKENS). */
    max_tokens: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict();
export type AgentOptions = z.infer<typeof AgentOptions>;

export const Submission = z
  .object({
    spec: z.string().trim().min(1, "must not be empty").max(MAX_SPEC_CHARS),
    count: z.union(
      [
        z
          .number({ error: COUNT_RULE })
          .int({ error: COUNT_RULE })
          .min(1, { error: COUNT_RULE })
          .max(MAX_COUNT, { error: COUNT_RULE }),
        z.literal("infinite"),
      ],
      { error: COUNT_RULE },
    ),
    model: ModelName.optional(),
    fallback_models: z.array(ModelName).max(10).optional(),
    queue: z.enum(["standard", "heavy"]).optional(),
    priority: z.number().int().min(-500).max(500).optional(),
    validation: z.array(ValidationSpecInput).max(32).optional(),
    budget_usd: z.number().positive().max(1_000_000).optional(),
    max_iterations: z.number().int().min(1).max(100_000).optional(),
    timeout_ms: z
      .number()
      .int()
      .min(1000)
      .max(24 * 3_600_000)
      .optional(),
    max_attempts: z.number().int().min(1).max(20).optional(),
    metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    idempotency_key: z.string().min(1).max(200).optional(),
    ...AgentOptions.shape,
  })
  .strict();
export type Submission = z.infer<typeof Submission>;
