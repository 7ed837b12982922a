// Agent executors: the adapters (claude, openai, command, echo) of the executor port
// (src/core/ports/executor.ts) and a factory.

import { ConfigError } from "../core/errors.ts";
import type { Executor } from "../core/ports/executor.ts";
import { createClaudeExecutor } from "./claude.ts";
import { createCommandExecutor } from "./command.ts";
import { createEchoExecutor, type EchoExecutorOptions } from "./echo.ts";
import { createOpenAIExecutor } from "./openai.ts";

export { agentEnvironment, CLAUDE_AGENT_ENV, parseAgentEnvNames } from "./agent-env.ts";
export { type ClaudeExecutorOptions, claudeArgs, createClaudeExecutor } from "./claude.ts";
export { type CommandExecutorOptions, createCommandExecutor } from "./command.ts";
export {
  createEchoExecutor,
  ECHO_CRITIC_ANSWER,
  ECHO_LABEL,
  ECHO_LOW_CRITIC_ANSWER,
  type EchoExecutorOptions,
  echoAnswer,
} from "./echo.ts";
export { createOpenAIExecutor, type OpenAIExecutorOptions, parseRetryAfter } from "./openai.ts";
export {
  costFor,
  DEFAULT_PRICES,
  estimateUsage,
  type ModelPrice,
  type PriceTable,
  priceFor,
} from "./prices.ts";

export const ExecutorKind = {
  Claude: "claude",
  OpenAI: "openai",
  Command: "command",
  Echo: "echo",
} as const;
export type ExecutorKind = (typeof ExecutorKind)[keyof typeof ExecutorKind];

export type ExecutorConfig = {
  kind: ExecutorKind;
  claudeCommand?: string | undefined;
  openaiBaseUrl?: string | undefined;
  openaiApiKey?: string | undefined;
  command?: string | undefined;
  commandArgs?: string[] | undefined;
  /** Names of extra variables agent processes get besides the allow-list (AGENTS_AGENT_ENV). */
  agentEnv?: readonly string[] | undefined;
  /** The echo executor's pace and draws (a demo). */
  echo?: EchoExecutorOptions | undefined;
};

/** Builds the executor a configuration names, failing with a ConfigError that names a missing setting. */
export function createExecutor(config: ExecutorConfig): Executor {
  switch (config.kind) {
    case "claude":
      return createClaudeExecutor({
        ...(config.claudeCommand ? { command: config.claudeCommand } : {}),
        passEnv: config.agentEnv ?? [],
      });
    case "openai":
      if (!config.openaiBaseUrl) {
        throw new ConfigError(
          "executor kind openai needs openaiBaseUrl (e.g. http://127.0.0.1:8001/v1); set it or pick another kind",
        );
      }
      return createOpenAIExecutor({
        baseUrl: config.openaiBaseUrl,
        ...(config.openaiApiKey ? { apiKey: config.openaiApiKey } : {}),
      });
    case "command":
      if (!config.command) {
        throw new ConfigError(
          "executor kind command needs command (the program that reads the prompt on stdin)",
        );
      }
      return createCommandExecutor({
        command: config.command,
        args: config.commandArgs ?? [],
        passEnv: config.agentEnv ?? [],
      });
    case "echo":
      return createEchoExecutor(config.echo);
    default: {
      const unknown: never = config.kind;
      throw new ConfigError(`unknown executor kind ${String(unknown)}; use claude, openai, command or echo`);
    }
  }
}
