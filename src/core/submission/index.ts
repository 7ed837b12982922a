// The rules of a submission that the gateway and the orchestrator share: wave sizes, the iteration
// cap, the first wave's task ids, and which validators (names and params) it may ask for. The
// gateway answers 202 with ids derived exactly as the orchestrator derives them, so both read them
// from here.
import { z } from "zod";
import type { FieldIssue } from "../errors.ts";
import type { Submission } from "../events/catalogue/submission.ts";
import { jobIdFor, taskIdFor } from "../ids.ts";
import { isPriced, type PriceTable } from "../providers/pricing.ts";
import type { ModelRoutes } from "../providers/routes.ts";

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

/**
 * What the submission rules know of the validators (the validation module provides it): their names
 * and aliases, and what is wrong with one's params. Deterministic, so decisions made with it stay pure.
 */
export type ValidatorCatalog = {
  names: ReadonlySet<string>;
  /** Problems with a known validator's params; `field` is the dotted path inside params ("" for params itself). */
  paramIssues(
    type: string,
    params: Record<string, unknown>,
  ): ReadonlyArray<{ field: string; message: string }>;
};

/**
 * One issue per validator the submission names that is not known (`validation.N.type`), and per bad
 * param of a known one (`validation.N.params.<field>`): a task would only fail on them later.
 */
export function validatorIssues(
  validation: ReadonlyArray<{ type: string; params?: Record<string, unknown> | undefined }> | undefined,
  catalog: ValidatorCatalog,
): FieldIssue[] {
  return (validation ?? []).flatMap((v, i): FieldIssue[] => {
    if (!catalog.names.has(v.type))
      return [
        {
          path: `validation.${i}.type`,
          message: `unknown validator "${v.type}"; known: ${[...catalog.names].join(", ")}`,
        },
      ];
    return catalog.paramIssues(v.type, v.params ?? {}).map((p) => ({
      path: [`validation.${i}.params`, ...(p.field ? [p.field] : [])].join("."),
      message: p.message,
    }));
  });
}

/** What a submission is checked against beyond its schema (the gateway and the orchestrator share it). */
export type SubmissionRules = {
  /** Known validators (names, aliases) and what is wrong with one's params. */
  validators: ValidatorCatalog;
  /** The model of a submission that names none. */
  defaultModel: string;
  routes: ModelRoutes;
  prices: PriceTable;
  /** Whether submissions may set permission_mode and allowed_tools (AGENTS_SUBMIT_PERMISSIONS). */
  allowAgentPermissions: boolean;
};

/** Every rule a schema-valid submission breaks, each naming its field. */
export function submissionIssues(s: Submission, rules: SubmissionRules): FieldIssue[] {
  return [
    ...validatorIssues(s.validation, rules.validators),
    ...unpricedUnderBudget(s, rules),
    ...permissionIssues(s, rules.allowAgentPermissions),
  ];
}

/**
 * A budget is a promise to stop spending at budget_usd; a model without a known cost could spend
 * without counting. So a submission with a budget that can reach an unpriced model (its own, the
 * default, or a fallback) is refused, naming each such model.
 */
export function unpricedUnderBudget(
  s: Pick<Submission, "budget_usd" | "model" | "fallback_models">,
  rules: Pick<SubmissionRules, "defaultModel" | "routes" | "prices">,
): FieldIssue[] {
  if (s.budget_usd === undefined) return [];
  const chain = [
    { path: "model", model: s.model ?? rules.defaultModel, named: s.model !== undefined },
    ...(s.fallback_models ?? []).map((model, i) => ({ path: `fallback_models.${i}`, model, named: true })),
  ];
  const seen = new Set<string>();
  return chain.flatMap((c) => {
    if (seen.has(c.model) || isPriced(c.model, rules.routes, rules.prices)) return [];
    seen.add(c.model);
    const which = c.named ? `model "${c.model}"` : `the default model "${c.model}" (AGENTS_DEFAULT_MODEL)`;
    return [
      {
        path: c.path,
        message: `${which} has no price, so budget_usd cannot be kept; give it one in the AGENTS_PRICES file (e.g. {"models":{"${c.model}":{"input_per_mtok":0.5,"output_per_mtok":1.5}}}) or submit without budget_usd`,
      },
    ];
  });
}

/** Permission settings widen what an agent may do on a worker: only when the operator allows it. */
function permissionIssues(s: Submission, allowed: boolean): FieldIssue[] {
  if (allowed) return [];
  return (["permission_mode", "allowed_tools"] as const)
    .filter((f) => s[f] !== undefined)
    .map((f) => ({
      path: f,
      message: `may not be set by a submission here: the workers' defaults apply (an operator allows it with AGENTS_SUBMIT_PERMISSIONS=true)`,
    }));
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
