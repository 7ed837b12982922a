// Quality and cost over time: average critique scores and spend per time bucket, one line per
// model or per spec, and the spend totals per model. Live: read again when critiques or runs land.
import { useState } from "preact/hooks";
import { api, type CostSeries, type QualitySeries } from "../api.ts";
import { ErrorNote, Section } from "../components/bits.tsx";
import { Chart, colour } from "../components/chart.tsx";
import { count, usd } from "../format.ts";
import { useResource } from "../hooks.ts";
import type { LiveEvent } from "../live.ts";

type Bucket = "minute" | "hour" | "day";
type Group = "model" | "spec";
type Metric = "quality" | "compliance" | "uniqueness";

const RUN_ENDS = new Set(["task.completed", "task.handoff_requested", "task.failed", "validation.failed"]);
const isCritique = (e: LiveEvent) => e.type === "critique.recorded";
const isRunEnd = (e: LiveEvent) => RUN_ENDS.has(e.type);

/** Series on one x axis (seconds), null where a series has no point. */
function aligned<P extends { t: number }>(
  series: Array<{ points: P[] }>,
  value: (p: P) => number,
): [number[], ...Array<Array<number | null>>] {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.t)))].sort((a, b) => a - b);
  const index = new Map(xs.map((t, i) => [t, i]));
  const ys = series.map((s) => {
    const row: Array<number | null> = xs.map(() => null);
    for (const p of s.points) row[index.get(p.t) ?? 0] = value(p);
    return row;
  });
  return [xs.map((t) => t / 1000), ...ys];
}

export function ChartsView() {
  const [bucket, setBucket] = useState<Bucket>("minute");
  const [group, setGroup] = useState<Group>("model");
  const [metric, setMetric] = useState<Metric>("quality");
  const p = { bucket, group };
  const quality = useResource(() => api.qualitySeries(p), isCritique, [bucket, group], 2000);
  const cost = useResource(() => api.costSeries(p), isRunEnd, [bucket, group], 2000);
  const totals = useResource(api.costs, isRunEnd, [], 2000);
  return (
    <div>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Bucket
          <select
            value={bucket}
            onChange={(e) => setBucket(e.currentTarget.value as Bucket)}
            data-testid="bucket"
          >
            <option value="minute">minute (last 2 hours)</option>
            <option value="hour">hour (last 2 days)</option>
            <option value="day">day (last 60 days)</option>
          </select>
        </label>
        <label>
          One line per
          <select
            value={group}
            onChange={(e) => setGroup(e.currentTarget.value as Group)}
            data-testid="group"
          >
            <option value="model">model</option>
            <option value="spec">spec</option>
          </select>
        </label>
        <label>
          Score
          <select value={metric} onChange={(e) => setMetric(e.currentTarget.value as Metric)}>
            <option value="quality">quality</option>
            <option value="compliance">compliance</option>
            <option value="uniqueness">uniqueness</option>
          </select>
        </label>
      </form>
      <ErrorNote error={quality.error ?? cost.error ?? totals.error} />
      <Section title={`Quality trend (${metric}, average per ${bucket})`}>
        <SeriesChart
          data={quality.data}
          value={(pt) => pt[metric]}
          yLabel={metric}
          yRange={[0, 10]}
          testId="quality-chart"
        />
      </Section>
      <Section title={`Spend per ${bucket} (USD)`}>
        <SeriesChart data={cost.data} value={(pt) => pt.cost_usd} yLabel="USD" testId="cost-chart" />
      </Section>
      <Section title="Spend per model (all time)">
        <table class="list" data-testid="cost-totals">
          <thead>
            <tr>
              <th>model</th>
              <th>runs</th>
              <th>completed</th>
              <th>handoffs</th>
              <th>failed</th>
              <th>tokens in</th>
              <th>tokens out</th>
              <th>cost</th>
            </tr>
          </thead>
          <tbody>
            {(totals.data?.models ?? []).map((m) => (
              <tr key={m.model}>
                <td class="mono">{m.model}</td>
                <td class="num">{count(m.runs)}</td>
                <td class="num">{count(m.completed)}</td>
                <td class="num">{count(m.handoffs)}</td>
                <td class="num">{count(m.failed)}</td>
                <td class="num">{count(m.input_tokens)}</td>
                <td class="num">{count(m.output_tokens)}</td>
                <td class="num">{usd(m.cost_usd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </div>
  );
}

function SeriesChart<S extends QualitySeries | CostSeries>(p: {
  data: S | undefined;
  value: (pt: S["series"][number]["points"][number]) => number;
  yLabel: string;
  yRange?: [number, number];
  testId: string;
}) {
  if (!p.data) return <p class="muted">Loading…</p>;
  const series = p.data.series as Array<{
    key: string;
    label: string;
    points: Array<S["series"][number]["points"][number]>;
  }>;
  if (series.length === 0)
    return (
      <p class="muted" data-testid={`${p.testId}-empty`}>
        Nothing in this window yet.
      </p>
    );
  return (
    <Chart
      title=""
      time
      data={aligned(series, p.value)}
      series={series.map((s, i) => ({ label: s.label, color: colour(i) }))}
      yLabel={p.yLabel}
      xRange={[Date.parse(p.data.from) / 1000, Date.parse(p.data.to) / 1000]}
      {...(p.yRange ? { yRange: p.yRange } : {})}
      testId={p.testId}
    />
  );
}
