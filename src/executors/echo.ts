// The offline echo executor: no LLM and no subprocess. It lets the whole system run without a model
// provider, and labels every answer so nobody mistakes it for model output.

import { setTimeout as sleep } from "node:timers/promises";
import { ExecutorError, ExecutorFailure } from "../core/errors.ts";
import type { Executor, ExecutorRequest, ExecutorResult } from "../core/ports/executor.ts";
import { estimateUsage } from "./estimate.ts";
import { reportProgress } from "./progress.ts";

export type EchoExecutorOptions = {
  /** Milliseconds to wait before answering, to imitate a slow agent (default 0). */
  delayMs?: number;
};

/** The first line of every echo answer. */
export const ECHO_LABEL = "[offline echo executor — no LLM was called]";

/** The fixed answer to prompts carrying the line `ROLE: critic`, in the critic's score format. */
export const ECHO_CRITIC_ANSWER = [
  "compliance: 9",
  "uniqueness: 8",
  "quality: 9",
  "Critique: [offline echo executor] fixed critique — no LLM judged this output.",
].join("\n");

/** Creates an executor that answers deterministically from the prompt without calling any model. */
export function createEchoExecutor(opts: EchoExecutorOptions = {}): Executor {
  return {
    name: "echo",
    usesWorkdir: false,
    async run(request: ExecutorRequest): Promise<ExecutorResult> {
      await wait(opts.delayMs ?? 0, request.signal);
      const output = echoAnswer(request.prompt);
      reportProgress(request, { turns: 1, message: output });
      return {
        output,
        model: "echo",
        usage: estimateUsage(request.prompt, output),
        cost_usd: 0,
        handoff: false,
        offline: true,
      };
    },
  };
}

/** The echo answer for a prompt: the critic format for critic prompts, else a labelled summary. */
export function echoAnswer(prompt: string): string {
  const lines = prompt.split(/\r?\n/);
  if (lines.some((line) => line.trim() === "ROLE: critic")) return ECHO_CRITIC_ANSWER;
  const firstLine = lines.find((line) => line.trim())?.trim() ?? "";
  return `${ECHO_LABEL}\nPrompt first line: ${firstLine}\nPrompt length: ${prompt.length} characters`;
}

async function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    signal?.throwIfAborted();
    if (ms > 0) await sleep(ms, undefined, { signal });
  } catch (err) {
    throw new ExecutorError(ExecutorFailure.Aborted, "echo executor was aborted by the caller", {
      cause: err,
    });
  }
}
