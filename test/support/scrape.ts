// Reading what a /metrics scrape says (the Prometheus text format prom-client writes) and which
// metrics a PromQL expression names (parsed with Prometheus' own PromQL grammar), so tests can
// compare series with events and dashboards and alerts with real scrapes.
import { parser } from "@prometheus-io/lezer-promql";

export type Sample = { name: string; labels: Record<string, string>; value: number };

export type Scrape = {
  text: string;
  samples: Sample[];
  /** Metric families declared by `# TYPE name type`. */
  types: Map<string, string>;
  /** The sum of every sample of `name` whose labels include `match`. */
  sum(name: string, match?: Record<string, string>): number;
  /** The samples of `name` whose labels include `match`. */
  select(name: string, match?: Record<string, string>): Sample[];
  /** Whether the scrape declares `name`: a family, or a histogram's _bucket, _sum or _count series. */
  declares(name: string): boolean;
};

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parse a text-format scrape. */
export function parseScrape(text: string): Scrape {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type?.[1] && type[2]) types.set(type[1], type[2]);
    if (line === "" || line.startsWith("#")) continue;
    const m = SAMPLE.exec(line);
    if (!m?.[1] || m[3] === undefined) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(LABEL))
      if (l[1]) labels[l[1]] = (l[2] ?? "").replace(/\\n/g, "\n").replace(/\\(["\\])/g, "$1");
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  const select = (name: string, match: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
  return {
    text,
    samples,
    types,
    select,
    sum: (name, match) => select(name, match).reduce((a, s) => a + s.value, 0),
    declares: (name) => {
      if (types.has(name)) return true;
      const base = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
      return base !== undefined && ["histogram", "summary"].includes(types.get(base) ?? "");
    },
  };
}

/** The metric names a PromQL expression selects; throws when the expression does not parse. */
export function promqlMetricNames(expr: string): string[] {
  const names = new Set<string>();
  const errors: number[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) errors.push(node.from);
      // A selector's metric name is its direct Identifier child (labels are LabelName nodes).
      if (node.name === "Identifier" && node.node.parent?.name === "VectorSelector")
        names.add(expr.slice(node.from, node.to));
    },
  });
  if (errors.length > 0) throw new Error(`PromQL does not parse at ${errors.join(", ")}: ${expr}`);
  return [...names];
}
