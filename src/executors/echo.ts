// The offline echo executor: no LLM and no subprocess. It lets the whole system run without a model
// provider, and labels every answer so nobody mistakes it for model output. For a demo it can take
// its time and, at set rates, score an output low (so a revision runs) or hand off (so a
// continuation runs): a job's whole lifecycle can be watched, stopped and cancelled offline.

import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { ExecutorError, ExecutorFailure } from "../core/errors.ts";
import type { Executor, ExecutorRequest, ExecutorResult } from "../core/ports/executor.ts";
import { estimateUsage } from "./prices.ts";
import { reportProgress } from "./progress.ts";

export type EchoExecutorOptions = {
  /** Milliseconds to wait before answering, to imitate a slow agent (default 0). */
  delayMs?: number;
  /** Share of critic answers, 0–1, that score below the bar, so a revision runs (default 0). */
  lowScoreRate?: number;
  /** Share of generator and continuation answers, 0–1, that hand off (default 0). */
  handoffRate?: number;
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

/** The critic answer drawn for a low score: below the bar of 8, in the critic's score format. */
export const ECHO_LOW_CRITIC_ANSWER = [
  "compliance: 6",
  "uniqueness: 7",
  "quality: 5",
  "Critique: [offline echo executor, demo] a low score drawn at random (AGENTS_ECHO_LOW_SCORE_RATE), so a revision runs.",
].join("\n");

/** What a drawn handoff leaves for the continuation. */
export const ECHO_REMAINING_WORK =
  "[offline echo executor, demo] a handoff drawn at random (AGENTS_ECHO_HANDOFF_RATE): the rest of the spec.";

/**
 * Creates an executor that answers without calling any model. The same prompt always gets the same
 * answer: the low-score and handoff draws are read from a hash of the prompt, so a run can be
 * repeated exactly, and a revision or continuation (a different prompt) draws anew.
 */
export function createEchoExecutor(opts: EchoExecutorOptions = {}): Executor {
  return {
    name: "echo",
    usesWorkdir: false,
    async run(request: ExecutorRequest): Promise<ExecutorResult> {
      reportProgress(request, { turns: 0, message: "echo executor thinking (offline)" });
      await wait(opts.delayMs ?? 0, request.signal);
      const role = roleOf(request.prompt);
      const low = role === "critic" && draw(request.prompt, "low-score") < (opts.lowScoreRate ?? 0);
      const handoff =
        (role === "generator" || role === "continuation") &&
        draw(request.prompt, "handoff") < (opts.handoffRate ?? 0);
      const output = low ? ECHO_LOW_CRITIC_ANSWER : echoAnswer(request.prompt);
      reportProgress(request, { turns: 1, message: output });
      return {
        output,
        model: "echo",
        usage: estimateUsage(request.prompt, output),
        cost_usd: 0,
        handoff,
        ...(handoff ? { remaining: ECHO_REMAINING_WORK } : {}),
        offline: true,
      };
    },
  };
}

/** The prompt's role line (`ROLE: critic`, …), or undefined. */
function roleOf(prompt: string): string | undefined {
  const line = prompt.split(/\r?\n/).find((l) => l.trim().startsWith("ROLE: "));
  return line?.trim().slice("ROLE: ".length).trim();
}

/** A number in [0, 1) read from the prompt's hash: the same prompt always draws the same. */
export function draw(prompt: string, what: string): number {
  return createHash("sha256").update(`${what}\u0000${prompt}`).digest().readUInt32BE(0) / 2 ** 32;
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
