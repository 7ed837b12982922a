// Summarise a V8 .cpuprofile (from `node --cpu-prof`): top self-time functions grouped by function
// name + url, self time by package / source area, and inclusive time of our own (src/) functions.
// Usage: tsx bench/cpuprofile-summary.ts FILE.cpuprofile [--top 25]
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { fmt, table } from "./stats.ts";

type CallFrame = { functionName: string; url: string };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
export type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** A short place name: the package for dependencies, the repo path for ours, node: for Node. */
export function areaOf(url: string): string {
  if (!url) return "(native / VM)";
  const path = url.startsWith("file://") ? fileURLToPath(url) : url;
  const nm = path.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = path.slice(nm + "node_modules/".length).split("/");
    return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? path);
  }
  if (path.startsWith("node:")) return path.split("/")[0] ?? path;
  return path.startsWith(ROOT) ? path.slice(ROOT.length) : path;
}

// Name + file (no line: code run through tsx reports most functions on line 1 of its output).
function label(f: CallFrame): string {
  const name = f.functionName || "(anonymous)";
  return f.url ? `${name} — ${areaOf(f.url)}` : name;
}

export type Summary = {
  totalMs: number;
  idleMs: number;
  topSelf: Array<{ fn: string; ms: number }>;
  byArea: Array<{ area: string; ms: number }>;
  ourInclusive: Array<{ fn: string; ms: number }>;
};

/** Aggregate self time per function (name + url) and per area, and inclusive time of src/ functions. */
export function summarise(p: CpuProfile, top = 25): Summary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i] as number;
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  }
  const fnSelf = new Map<string, number>();
  const areaSelf = new Map<string, number>();
  const ours = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id);
    if (!n) continue;
    totalMs += ms;
    if (n.callFrame.functionName === "(idle)") idleMs += ms;
    const key = label(n.callFrame);
    fnSelf.set(key, (fnSelf.get(key) ?? 0) + ms);
    const area = n.callFrame.url ? areaOf(n.callFrame.url) : n.callFrame.functionName || "(native / VM)";
    areaSelf.set(area, (areaSelf.get(area) ?? 0) + ms);
    // Inclusive time of our functions: each distinct src/ frame on the stack gets this node's time.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)?.callFrame;
      if (f && areaOf(f.url).startsWith("src/")) seen.add(label(f));
    }
    for (const k of seen) ours.set(k, (ours.get(k) ?? 0) + ms);
  }
  const sorted = <K extends string>(m: Map<string, number>, k: K) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ [k]: name, ms }) as { [P in K]: string } & { ms: number });
  return {
    totalMs,
    idleMs,
    topSelf: sorted(fnSelf, "fn"),
    byArea: sorted(areaSelf, "area"),
    ourInclusive: sorted(ours, "fn"),
  };
}

/** The summary as Markdown tables (shares of busy time: total less idle). */
export function formatSummary(s: Summary): string {
  const busy = s.totalMs - s.idleMs;
  const pct = (ms: number) => `${fmt((100 * ms) / busy, 1)} %`;
  return [
    `Profiled ${fmt(s.totalMs / 1000, 1)} s, of which busy ${fmt(busy / 1000, 1)} s (idle excluded from shares).`,
    "",
    "### Top self time by function (name + file)",
    "",
    table(
      ["function — file", "self ms", "share"],
      s.topSelf.filter((r) => r.fn !== "(idle)").map((r) => [r.fn, fmt(r.ms, 0), pct(r.ms)]),
    ),
    "",
    "### Self time by package / area",
    "",
    table(
      ["area", "self ms", "share"],
      s.byArea.filter((r) => r.area !== "(idle)").map((r) => [r.area, fmt(r.ms, 0), pct(r.ms)]),
    ),
    "",
    "### Inclusive time of our functions (src/)",
    "",
    table(
      ["function — file", "inclusive ms", "share"],
      s.ourInclusive.map((r) => [r.fn, fmt(r.ms, 0), pct(r.ms)]),
    ),
  ].join("\n");
}

async function cli(): Promise<void> {
  const [file, flag, n] = process.argv.slice(2);
  if (!file) throw new Error("usage: tsx bench/cpuprofile-summary.ts FILE.cpuprofile [--top N]");
  const profile = JSON.parse(await readFile(file, "utf8")) as CpuProfile;
  console.log(formatSummary(summarise(profile, flag === "--top" ? Number(n) : 25)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  cli().catch((err) => {
    console.error((err as Error).message);
    process.exit(1);
  });
}
