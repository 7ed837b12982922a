// Which executors run, resolved once from the configuration for the worker, the banner and /health
// (which showed "auto" while echo ran). Kept apart from components.ts so the gateway alone does not
// load the actors.
import type { Config } from "../config/index.ts";
import type { ExecutorKind } from "../executors/index.ts";
import { isOnPath } from "../executors/which.ts";

/** The executor kinds a worker hosts: AGENTS_EXECUTOR, else claude when its CLI is on PATH, else offline echo. */
export function executorKinds(config: Config): ExecutorKind[] {
  return config.AGENTS_EXECUTOR ?? (isOnPath(config.CLAUDE_COMMAND) ? ["claude"] : ["echo"]);
}

/** The executors in a few words, as the banner and /health show them ("claude,openai", "echo (offline; …)"). */
export function describeExecutor(config: Config): string {
  const kinds = executorKinds(config);
  if (!kinds.includes("echo")) return kinds.join(",");
  const pace = [
    config.AGENTS_ECHO_DELAY_MS > 0 ? `${config.AGENTS_ECHO_DELAY_MS} ms an answer` : "",
    config.AGENTS_ECHO_LOW_SCORE_RATE > 0 ? `${pct(config.AGENTS_ECHO_LOW_SCORE_RATE)} low scores` : "",
    config.AGENTS_ECHO_HANDOFF_RATE > 0 ? `${pct(config.AGENTS_ECHO_HANDOFF_RATE)} handoffs` : "",
  ].filter(Boolean);
  return `echo (offline, no LLM is called${pace.length ? `; ${pace.join(", ")}` : ""})`;
}

function pct(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}
