// A generic CLI executor: any program that reads the prompt on stdin and writes its answer on stdout
// (for example `llm`, `ollama run MODEL`, or a local script). It reports no usage, so tokens are
// estimated (4 characters a token) and priced by the price table when the model has a price, else
// the run is unpriced. It gets no credentials: only the base allow-listed environment and the
// variables named in AGENTS_AGENT_ENV.

import type { Executor, ExecutorRequest, ExecutorResult } from "../core/ports/executor.ts";
import { detectHandoff } from "../core/protocol/handoff.ts";
import { costFor, DEFAULT_PRICES, type PriceTable } from "../core/providers/pricing.ts";
import { agentEnvironment } from "./agent-env.ts";
import { estimateUsage } from "./estimate.ts";
import { spawnAgent } from "./orphan-guard.ts";
import { processFailure } from "./process-errors.ts";
import { reportProgress } from "./progress.ts";

export type CommandExecutorOptions = {
  /** The program to run; executed directly, never through a shell. */
  command: string;
  /** Arguments passed to the program (default none). */
  args?: string[];
  /** Variables set for the program as given, on top of its allow-listed environment. */
  env?: Record<string, string>;
  /** Names of further variables of this process the program gets (AGENTS_AGENT_ENV). */
  passEnv?: readonly string[];
  /** Prices (default DEFAULT_PRICES); a model not in it is unpriced. */
  prices?: PriceTable;
};

/** Creates an executor that pipes each prompt through a command and takes its stdout as the answer. */
export function createCommandExecutor(opts: CommandExecutorOptions): Executor {
  return {
    name: "command",
    usesWorkdir: true,
    async run(request: ExecutorRequest): Promise<ExecutorResult> {
      const env = agentEnvironment({ pass: opts.passEnv ?? [], ...(opts.env ? { set: opts.env } : {}) });
      const outcome = await spawnAgent(opts.command, opts.args ?? [], request, env);
      const failure = processFailure(outcome, `command ${opts.command}`, request);
      if (failure) throw failure;
      const detected = detectHandoff(outcome.stdout);
      const usage = estimateUsage(request.prompt, outcome.stdout);
      reportProgress(request, { turns: 1, output_tokens: usage.output_tokens });
      const model = request.model ?? opts.command;
      const cost = costFor(model, usage, opts.prices ?? DEFAULT_PRICES);
      return {
        output: detected.body,
        model,
        usage,
        cost_usd: cost ?? 0,
        ...(cost === undefined ? { unpriced: true } : {}),
        handoff: detected.handoff,
        remaining: detected.remaining,
      };
    },
  };
}
