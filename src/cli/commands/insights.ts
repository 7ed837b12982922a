// `agents costs` (GET /v1/agents/costs, or /costs/series with --bucket) and `agents quality`
// (GET /v1/agents/quality, or /quality/series with --bucket): spend per model and critique scores.
import { loadConfig } from "../../config/index.ts";
import type { CostSeries, QualitySeries } from "../../gateway/views/schemas.ts";
import type { ModelCost as ProjectedModelCost } from "../../projections/cost-by-model/evolve.ts";
import { choiceOption, intOption, parseCommand, timeOption } from "../args.ts";
import { call, query, targetFromConfig } from "../client.ts";
import { Exit, usage } from "../exit.ts";
import { firstLine, printJson, table, usd } from "../format.ts";

const BUCKETS = ["minute", "hour", "day"] as const;
const GROUPS = ["model", "spec"] as const;

export const COSTS_USAGE = `usage: agents costs [--bucket minute|hour|day [--group model|spec] [--from TIME] [--to TIME]
                    [--model M] [--spec TEXT|KEY] [--job JOB]] [--json]
  spend per model, most expensive first; with --bucket, spend per time bucket, one series per
  model (or spec)`;

export const QUALITY_USAGE = `usage: agents quality [--spec TEXT|KEY] [--job JOB] [--model M] [--from TIME] [--to TIME]
                      [--limit N] [--bucket minute|hour|day [--group model|spec]] [--json]
  critiques newest first with their averages (--limit, default 20, at most 1000); with --bucket,
  average scores per time bucket, one series per model (or spec)`;

/** A model's row as the costs route answers it: the read model without its storage fields. */
type ModelCost = Omit<ProjectedModelCost, "_key" | "seq">;
type Costs = { models: ModelCost[]; checkpoint: number };
type Critique = {
  occurred_at: string;
  task_id: string;
  model: string;
  target_model: string | null;
  compliance: number;
  uniqueness: number;
  quality: number;
  passed: boolean;
  critique: string;
};
type Quality = {
  entries: Critique[];
  averages: { count: number; compliance: number; uniqueness: number; quality: number };
};

const seriesOptions = {
  bucket: { type: "string" },
  group: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  model: { type: "string" },
  spec: { type: "string" },
  job: { type: "string" },
  json: { type: "boolean", default: false },
} as const;

function time(t: number): string {
  return new Date(t).toISOString().replace(/:00\.000Z$/, "Z");
}

/** Spend per model, or per time bucket with --bucket. */
export async function runCosts(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, seriesOptions, COSTS_USAGE);
  if (positionals.length > 0) throw usage(COSTS_USAGE);
  const t = targetFromConfig(loadConfig());
  const bucket = choiceOption("bucket", values.bucket, BUCKETS);
  if (!bucket) {
    for (const name of ["group", "from", "to", "model", "spec", "job"] as const)
      if (values[name] !== undefined) throw usage(`--${name} goes with --bucket\n${COSTS_USAGE}`);
    const c = await call<Costs>(t, "GET", "/v1/agents/costs");
    if (values.json) printJson(c);
    else if (c.models.length === 0) process.stdout.write("no runs yet\n");
    else {
      const rows = c.models.map((m) => [
        m.model,
        m.runs,
        m.completed,
        m.handoffs,
        m.failed,
        m.input_tokens,
        m.output_tokens,
        usd(m.cost_usd),
      ]);
      const total = c.models.reduce((s, m) => s + m.cost_usd, 0);
      process.stdout.write(
        `${table(["model", "runs", "completed", "handoffs", "failed", "input tokens", "output tokens", "cost"], rows)}\ntotal ${usd(total)}\n`,
      );
    }
    return Exit.Ok;
  }
  const s = await call<CostSeries>(t, "GET", `/v1/agents/costs/series${seriesQuery(values, bucket)}`);
  if (values.json) printJson(s);
  else {
    const rows = s.series.flatMap((line) =>
      line.points.map((p) => [
        time(p.t),
        firstLine(line.label, 40),
        p.runs,
        p.input_tokens,
        p.output_tokens,
        usd(p.cost_usd),
      ]),
    );
    process.stdout.write(
      rows.length
        ? `${table([bucket, s.group, "runs", "input tokens", "output tokens", "cost"], rows)}\n`
        : `no runs from ${s.from} to ${s.to}\n`,
    );
  }
  return Exit.Ok;
}

function seriesQuery(
  values: { group?: string; from?: string; to?: string; model?: string; spec?: string; job?: string },
  bucket: string,
): string {
  return query({
    bucket,
    group: choiceOption("group", values.group, GROUPS),
    from: timeOption("from", values.from),
    to: timeOption("to", values.to),
    model: values.model,
    spec: values.spec,
    job: values.job,
  });
}

/** Critiques with their averages, or average scores per time bucket with --bucket. */
export async function runQuality(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    { ...seriesOptions, limit: { type: "string" } },
    QUALITY_USAGE,
  );
  if (positionals.length > 0) throw usage(QUALITY_USAGE);
  const t = targetFromConfig(loadConfig());
  const bucket = choiceOption("bucket", values.bucket, BUCKETS);
  if (!bucket) {
    if (values.group !== undefined) throw usage(`--group goes with --bucket\n${QUALITY_USAGE}`);
    const q = await call<Quality>(
      t,
      "GET",
      `/v1/agents/quality${query({
        spec: values.spec,
        job: values.job,
        model: values.model,
        from: timeOption("from", values.from),
        to: timeOption("to", values.to),
        limit: intOption("limit", values.limit, 1, 1000) ?? 20,
      })}`,
    );
    if (values.json) printJson(q);
    else if (q.entries.length === 0) process.stdout.write("no critiques\n");
    else {
      const a = q.averages;
      const rows = q.entries.map((e) => [
        e.occurred_at.replace(/\.\d+Z$/, "Z"),
        e.task_id,
        e.target_model ?? "-",
        e.compliance,
        e.uniqueness,
        e.quality,
        e.passed ? "yes" : "no",
        firstLine(e.critique, 50),
      ]);
      process.stdout.write(
        `${table(["time", "task", "model", "compliance", "uniqueness", "quality", "passed", "critique"], rows)}\n` +
          `average of ${a.count}: compliance ${a.compliance.toFixed(1)} · uniqueness ${a.uniqueness.toFixed(1)} · quality ${a.quality.toFixed(1)}\n`,
      );
    }
    return Exit.Ok;
  }
  if (values.limit !== undefined) throw usage(`--limit does not go with --bucket\n${QUALITY_USAGE}`);
  const s = await call<QualitySeries>(t, "GET", `/v1/agents/quality/series${seriesQuery(values, bucket)}`);
  if (values.json) printJson(s);
  else {
    const rows = s.series.flatMap((line) =>
      line.points.map((p) => [
        time(p.t),
        firstLine(line.label, 40),
        p.count,
        p.compliance.toFixed(1),
        p.uniqueness.toFixed(1),
        p.quality.toFixed(1),
      ]),
    );
    process.stdout.write(
      rows.length
        ? `${table([bucket, s.group, "critiques", "compliance", "uniqueness", "quality"], rows)}\n`
        : `no critiques from ${s.from} to ${s.to}\n`,
    );
  }
  return Exit.Ok;
}
