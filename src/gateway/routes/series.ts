// GET /v1/agents/quality/series and GET /v1/agents/costs/series: critique scores and spend per time
// bucket (minute, hour, day), one series per spec or per model, for trend charts.
import type { FastifyPluginAsync } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { ErrorCode } from "../../core/errors.ts";
import { Id } from "../../core/events/index.ts";
import { NO_SPEC, type SeriesQuery } from "../../projections/series/query.ts";
import type { GatewayContext } from "../context.ts";
import { ErrorBody, HttpError } from "../errors.ts";
import { CostSeries, QualitySeries } from "../views/schemas.ts";
import { specKeyOf } from "./status.ts";

export const BUCKETS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
type Bucket = keyof typeof BUCKETS;
/** Buckets one answer may span. */
export const MAX_BUCKETS = 2000;
/** Buckets shown when no `from` is given. */
const DEFAULT_BUCKETS: Record<Bucket, number> = { minute: 120, hour: 48, day: 60 };
const LABEL_CHARS = 80;

const SeriesParams = z.object({
  group: z.enum(["spec", "model"]).default("model").describe("one series per spec or per model"),
  bucket: z.enum(["minute", "hour", "day"]).default("hour"),
  from: z.iso.datetime().optional().describe("ISO time, inclusive (default: a window ending at `to`)"),
  to: z.iso.datetime().optional().describe("ISO time, exclusive (default: the end of the current bucket)"),
  spec: z.string().max(200_000).optional().describe("only this spec (its text or 16-character key)"),
  model: z.string().max(200).optional().describe("only this model"),
  job: Id.optional().describe("only this job"),
});
type SeriesParams = z.infer<typeof SeriesParams>;

/** The store query for the parameters; a window that is empty or too long is a 400 naming `from`. */
export function seriesQuery(p: SeriesParams, now = Date.now()): SeriesQuery & { bucket: Bucket } {
  const bucket_ms = BUCKETS[p.bucket];
  const toMs = p.to ? Date.parse(p.to) : (Math.floor(now / bucket_ms) + 1) * bucket_ms;
  const fromMs = p.from ? Date.parse(p.from) : toMs - DEFAULT_BUCKETS[p.bucket] * bucket_ms;
  const bad = (message: string) =>
    new HttpError(ErrorCode.ValidationFailed, `querystring is invalid: from: ${message}`, [
      { path: "from", message },
    ]);
  if (fromMs >= toMs) throw bad("must be before to");
  if ((toMs - fromMs) / bucket_ms > MAX_BUCKETS)
    throw bad(
      `spans more than ${MAX_BUCKETS} ${p.bucket} buckets; choose a larger bucket or a shorter window`,
    );
  return {
    bucket: p.bucket,
    bucket_ms,
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    group: p.group,
    spec_key: p.spec === undefined ? undefined : specKeyOf(p.spec),
    model: p.model,
    job_id: p.job,
  };
}

/** Points grouped into one series per key, keys in order of first appearance (time order). */
function grouped<P extends { key: string; t: number }>(points: P[]): Map<string, Array<Omit<P, "key">>> {
  const out = new Map<string, Array<Omit<P, "key">>>();
  for (const { key, ...rest } of points) {
    const list = out.get(key) ?? [];
    list.push(rest);
    out.set(key, list);
  }
  return out;
}

async function labels(ctx: GatewayContext, q: SeriesQuery, keys: string[]): Promise<Map<string, string>> {
  if (q.group === "model") return new Map(keys.map((k) => [k, k]));
  const specs = await ctx.deps.queries.specExcerpts(keys.filter((k) => k !== NO_SPEC));
  return new Map(
    keys.map((k) => [k, k === NO_SPEC ? "(spec unknown)" : (specs.get(k) ?? k).slice(0, LABEL_CHARS)]),
  );
}

const meta = (q: ReturnType<typeof seriesQuery>) => ({
  bucket: q.bucket,
  bucket_ms: q.bucket_ms,
  from: q.from,
  to: q.to,
  group: q.group,
});

export const seriesRoutes: FastifyPluginAsync<{ ctx: GatewayContext }> = async (app, { ctx }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const store = ctx.deps.queries;

  r.get(
    "/v1/agents/quality/series",
    {
      schema: {
        tags: ["quality"],
        summary: "Average critique scores per time bucket, one series per spec or model",
        querystring: SeriesParams,
        response: { 200: QualitySeries, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req) => {
      const q = seriesQuery(req.query);
      const checkpoint = await store.checkpoint();
      const byKey = grouped(await store.qualitySeries(q));
      const names = await labels(ctx, q, [...byKey.keys()]);
      const series = [...byKey].map(([key, points]) => ({
        key,
        label: names.get(key) ?? key,
        points: points.map((p) => ({
          t: p.t,
          count: p.count,
          compliance: p.compliance / p.count,
          uniqueness: p.uniqueness / p.count,
          quality: p.quality / p.count,
        })),
      }));
      return { ...meta(q), checkpoint, series };
    },
  );

  r.get(
    "/v1/agents/costs/series",
    {
      schema: {
        tags: ["quality"],
        summary: "Spend and tokens per time bucket, one series per model or spec",
        querystring: SeriesParams,
        response: { 200: CostSeries, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req) => {
      const q = seriesQuery(req.query);
      const checkpoint = await store.checkpoint();
      const byKey = grouped(await store.costSeries(q));
      const names = await labels(ctx, q, [...byKey.keys()]);
      const series = [...byKey].map(([key, points]) => ({ key, label: names.get(key) ?? key, points }));
      return { ...meta(q), checkpoint, series };
    },
  );
};
