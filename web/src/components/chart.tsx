// A uPlot chart as a component: created once per set of series, given new data as it changes, and
// sized to its container. uPlot draws on a canvas, so labels never become HTML.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

export type ChartSeries = { label: string; color: string };

const PALETTE = ["#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777"];

/** The n-th series colour. */
export function colour(n: number): string {
  return PALETTE[n % PALETTE.length] ?? "#2563eb";
}

export type ChartProps = {
  title: string;
  /** x values first, then one array per series (null: no value there). */
  data: [number[], ...Array<Array<number | null>>];
  series: ChartSeries[];
  /** x is a time in seconds (else a plain number, e.g. an iteration). */
  time?: boolean;
  yLabel?: string;
  height?: number;
  testId?: string;
  /** Fixed x range (a time window in seconds); else from the data. */
  xRange?: [number, number];
  /** Fixed y range (scores 0–10); else from 0 to the data's top. */
  yRange?: [number, number];
};

/** Axis numbers: integers as they are, small values with enough digits to differ. */
function tick(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 1 ? v.toFixed(1) : v.toPrecision(2);
}

export function Chart(p: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = [
    p.time ? "t" : "n",
    p.xRange?.join("-"),
    p.yRange?.join("-"),
    ...p.series.map((s) => s.label),
  ].join("|");

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      title: p.title,
      width: Math.max(300, el.clientWidth),
      height: p.height ?? 220,
      scales: {
        x: { time: p.time ?? true, ...(p.xRange ? { range: p.xRange } : {}) },
        y: { range: p.yRange ?? ((_u, _min, max) => [0, max > 0 ? max * 1.1 : 1]) },
      },
      axes: [
        p.time === false ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] } : {},
        { label: p.yLabel ?? "", size: 60, values: (_u, vals) => vals.map(tick) },
      ],
      series: [
        { label: p.time === false ? "iteration" : "time" },
        ...p.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          spanGaps: true,
          points: { show: true },
        })),
      ],
    };
    const u = new uPlot(opts, p.data, el);
    plot.current = u;
    const resize = new ResizeObserver(() =>
      u.setSize({ width: Math.max(300, el.clientWidth), height: opts.height }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(p.data);
  }, [p.data]);

  return <div class="chart" ref={box} data-testid={p.testId} />;
}
