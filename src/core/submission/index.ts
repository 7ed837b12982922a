// The rules of a submission that the gateway and the orchestrator share: wave sizes, the iteration
// cap, the first wave's task ids, and which validator names are known. The gateway answers 202 with
// ids derived exactly as the orchestrator derives them, so both read them from here.
import { z } from "zod";
import type { FieldIssue } from "../errors.ts";
import type { Submission } from "../events/catalogue/submission.ts";
import { jobIdFor, taskIdFor } from "../ids.ts";

/** Default ceiling for infinite jobs without max_iterations. */
export const DEFAULT_INFINITE_MAX = 1000;

/** Iterations per wave: count ≤ 5 all at once; 6-20 batches of 5; larger batches of 10; infinite 4. */
export function waveSizeFor(count: number | "infinite"): number {
  if (count === "infinite") return 4;
  if (count <= 5) return count;
  if (count <= 20) return 5;
  return 10;
}

/** The most iterations a submission may run: its count (or the infinite default), capped by max_iterations. */
export function maxIterationsFor(s: Pick<Submission, "count" | "max_iterations">): number {
  return s.count === "infinite"
    ? (s.max_iterations ?? DEFAULT_INFINITE_MAX)
    : Math.min(s.count, s.max_iterations ?? Number.MAX_SAFE_INTEGER);
}

/** Iteration numbers of the next wave, after `planned` iterations, capped at `max`. */
export function nextWave(planned: number, waveSize: number, max: number): number[] {
  const out: number[] = [];
  for (let n = planned + 1; n <= Math.min(planned + waveSize, max); n++) out.push(n);
  return out;
}

/** The generator task ids of a job's first wave, as the orchestrator will create them. */
export function firstWaveTaskIds(jobId: string, s: Submission): string[] {
  return nextWave(0, waveSizeFor(s.count), maxIterationsFor(s)).map((n) =>
    taskIdFor(jobId, n, "generator", 0),
  );
}

/** One issue per validator the submission names that is not known (names and aliases). */
export function unknownValidators(
  validation: ReadonlyArray<{ type: string }> | undefined,
  known: ReadonlySet<string>,
): FieldIssue[] {
  return (validation ?? []).flatMap((v, i) =>
    known.has(v.type)
      ? []
      : [
          {
            path: `validation.${i}.type`,
            message: `unknown validator "${v.type}"; known: ${[...known].join(", ")}`,
          },
        ],
  );
}

/** The answer to an accepted submission, over REST (202) and over NATS request-reply alike. */
export const SubmitAccepted = z.object({
  job_id: z.string().describe("derived from idempotency_key: the same key always names the same job"),
  task_ids: z.array(z.string()).describe("the first wave's generator tasks"),
  idempotency_key: z.string(),
  duplicate: z.boolean().describe("true when this key was already submitted (within the dedup window)"),
  submit_seq: z.number().int().describe("the submission's sequence in the AGENTS stream"),
  status_url: z.string(),
  result_url: z.string(),
  events_url: z.string(),
  warning: z
    .string()
    .optional()
    .describe("set while an emergency stop is in force: the job is accepted and waits for resume"),
});
export type SubmitAccepted = z.infer<typeof SubmitAccepted>;

/** What a submission stored at `seq` under `key` answers: its job id and first tasks, derived from the key. */
export function acceptance(
  submission: Submission & { idempotency_key: string },
  ack: { seq: number; duplicate: boolean },
): SubmitAccepted {
  const jobId = jobIdFor(submission.idempotency_key);
  return {
    job_id: jobId,
    task_ids: firstWaveTaskIds(jobId, submission),
    idempotency_key: submission.idempotency_key,
    duplicate: ack.duplicate,
    submit_seq: ack.seq,
    status_url: `/v1/agents/status/${jobId}`,
    result_url: `/v1/agents/result/${jobId}`,
    events_url: `/v1/agents/events?job=${jobId}`,
  };
}
