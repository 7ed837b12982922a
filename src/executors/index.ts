// Agent executors: the adapters (claude, openai, command, echo) of the executor port
// (src/core/ports/executor.ts), and the factory that builds a worker's executors, one per route.

import { ConfigError } from "../core/errors.ts";
import type { PermissionMode } from "../core/events/catalogue/submission.ts";
import type { Executor } from "../core/ports/executor.ts";
import type { PriceTable } from "../core/providers/pricing.ts";
import { Route } from "../core/providers/routes.ts";
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
export { estimateUsage } from "./estimate.ts";
export { createOpenAIExecutor, type OpenAIExecutorOptions, parseRetryAfter } from "./openai.ts";

export const ExecutorKind = {
  Claude: "claude",
  OpenAI: "openai",
  Command: "command",
  Echo: "echo",
} as const;
export type ExecutorKind = (typeof ExecutorKind)[keyof typeof ExecutorKind];

export type ExecutorConfig = {
  /** The executors to host; `echo` alone stands in for every route (offline). */
  kinds: readonly ExecutorKind[];
  claudeCommand?: string | undefined;
  claudePermissionMode?: PermissionMode | undefined;
  claudeAllowedTools?: readonly string[] | undefined;
  claudeMaxTurns?: number | undefined;
  /** AGENTS_CLAUDE_AUTH_DIR: stored Claude credentials, used when the environment has none. */
  claudeAuthDir?: string | undefined;
  openaiBaseUrl?: string | undefined;
  openaiApiKey?: string | undefined;
  command?: string | undefined;
  commandArgs?: string[] | undefined;
  /** Names of extra variables agent processes get besides the allow-list (AGENTS_AGENT_ENV). */
  agentEnv?: readonly string[] | undefined;
  prices?: PriceTable | undefined;
  /** The echo executor's pace and draws (a demo). */
  echo?: EchoExecutorOptions | undefined;
};

/** The executors a configuration names, by the route each serves; a ConfigError names a missing setting. */
export function createExecutors(config: ExecutorConfig): Map<Route, Executor> {
  const out = new Map<Route, Executor>();
  for (const kind of config.kinds) {
    if (kind === "echo") {
      const echo = createEchoExecutor(config.echo);
      for (const route of Route.options) out.set(route, echo);
      continue;
    }
    out.set(kind, createExecutor(kind, config));
  }
  return out;
}

/** One executor of a routed kind. */
export function createExecutor(kind: Route, config: Omit<ExecutorConfig, "kinds">): Executor {
  switch (kind) {
    case "claude":
      return createClaudeExecutor({
        ...(config.claudeCommand ? { command: config.claudeCommand } : {}),
        passEnv: config.agentEnv ?? [],
        authDir: config.claudeAuthDir,
        defaults: {
          ...(config.claudePermissionMode ? { permissionMode: config.claudePermissionMode } : {}),
          ...(config.claudeAllowedTools ? { allowedTools: config.claudeAllowedTools } : {}),
          maxTurns: config.claudeMaxTurns,
        },
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
        ...(config.prices ? { prices: config.prices } : {}),
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
        ...(config.prices ? { prices: config.prices } : {}),
      });
    default: {
      const unknown: never = kind;
      throw new ConfigError(`unknown executor kind ${String(unknown)}; use claude, openai, command or echo`);
    }
  }
}
