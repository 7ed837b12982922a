// Which executor runs, resolved once from the configuration for the worker, the banner and /health
// (which showed "auto" while echo ran). Kept apart from components.ts so the gateway alone does not
// load the actors.
import type { Config } from "../config/index.ts";
import type { ExecutorKind } from "../executors/index.ts";
import { isOnPath } from "../executors/which.ts";

/** The executor kind that runs: AGENTS_EXECUTOR, else claude when its CLI is on PATH, else offline echo. */
export function executorKind(config: Config): ExecutorKind {
  return config.AGENTS_EXECUTOR ?? (isOnPath(config.CLAUDE_COMMAND) ? "claude" : "echo");
}

/** The executor in a few words, as the banner and /health show it ("echo (offline; …)"). */
export function describeExecutor(config: Config): string {
  const kind = executorKind(config);
  if (kind !== "echo") return kind;
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
