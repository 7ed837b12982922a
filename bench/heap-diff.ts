// Summarise what a loaded heap holds that the idle one did not: the objects whose ids are new in
// the second snapshot (V8 keeps an object's id across snapshots of one process), grouped by kind
// (a closure by its function and file, an object by its constructor), with their most common
// retainers, and closures summed by source file (which module keeps them).
import { readFile } from "node:fs/promises";

type Snapshot = {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
      location_fields?: string[];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
  locations?: number[];
};

type Parsed = {
  s: Snapshot;
  nf: number;
  ef: number;
  type: (n: number) => string;
  name: (n: number) => string;
  id: (n: number) => number;
  size: (n: number) => number;
  /** Index into `edges` of node n's first edge (n is a node ordinal). */
  firstEdge: Int32Array;
  /** For old objects that own new ones: one old retainer reaching them by a property edge. */
  retainer?: Map<number, [number, string]>;
};

function parse(s: Snapshot): Parsed {
  const m = s.snapshot.meta;
  const nf = m.node_fields.length;
  const ef = m.edge_fields.length;
  const [fType, fName, fId, fSize, fEdges] = ["type", "name", "id", "self_size", "edge_count"].map((f) =>
    m.node_fields.indexOf(f),
  ) as [number, number, number, number, number];
  const count = s.nodes.length / nf;
  const firstEdge = new Int32Array(count + 1);
  for (let n = 0, e = 0; n < count; n++) {
    firstEdge[n] = e;
    e += (s.nodes[n * nf + fEdges] as number) * ef;
    firstEdge[n + 1] = e;
  }
  const types = m.node_types[0];
  return {
    s,
    nf,
    ef,
    type: (n) => types[s.nodes[n * nf + fType] as number] ?? "?",
    name: (n) => s.strings[s.nodes[n * nf + fName] as number] ?? "?",
    id: (n) => s.nodes[n * nf + fId] as number,
    size: (n) => s.nodes[n * nf + fSize] as number,
    firstEdge,
  };
}

/** The edges of node n: [edge type, edge name (or index), target node ordinal]. */
function* edgesOf(p: Parsed, n: number): Generator<[string, string, number]> {
  const m = p.s.snapshot.meta;
  const types = m.edge_types[0];
  const [fT, fN, fTo] = ["type", "name_or_index", "to_node"].map((f) => m.edge_fields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  for (let e = p.firstEdge[n] as number; e < (p.firstEdge[n + 1] as number); e += p.ef) {
    const t = types[p.s.edges[e + fT] as number] ?? "?";
    const raw = p.s.edges[e + fN] as number;
    const name = t === "element" || t === "hidden" ? String(raw) : (p.s.strings[raw] ?? "?");
    yield [t, name, (p.s.edges[e + fTo] as number) / p.nf];
  }
}

function edgeTo(p: Parsed, n: number, name: string): number | undefined {
  for (const [, en, to] of edgesOf(p, n)) if (en === name) return to;
  return undefined;
}

/** A closure's source file (the end of its script's name), read through its SharedFunctionInfo. */
function scriptOf(p: Parsed, closure: number, cache: Map<number, string>): string {
  const shared = edgeTo(p, closure, "shared");
  if (shared === undefined) return "?";
  const script = edgeTo(p, shared, "script_or_debug_info") ?? edgeTo(p, shared, "script");
  if (script === undefined) return "?";
  const known = cache.get(script);
  if (known) return known;
  const full = p.name(script);
  const short = full.replace(/^.*\/(src|bench|node_modules)\//, "$1/").replace(/^file:\/\//, "");
  cache.set(script, short);
  return short;
}

/** A closure's name: V8's, else the `name` property tsx's keepNames defines on it. */
function closureName(p: Parsed, n: number): string {
  if (p.name(n)) return p.name(n);
  const named = edgeTo(p, n, "name");
  return named !== undefined && p.type(named) === "string" ? p.name(named) : "(anonymous)";
}

function keyOf(p: Parsed, n: number, scripts: Map<number, string>): string {
  const t = p.type(n);
  if (t === "closure") return `closure ${closureName(p, n)} @ ${scriptOf(p, n, scripts)}`;
  if (t === "object") return `object ${p.name(n)}`;
  if (t === "string" || t === "concatenated string" || t === "sliced string") return "string";
  return `${t} ${p.name(n).slice(0, 40)}`;
}

/** An old object named by what holds it (one strong property edge up), e.g. "object Worker .running → object Map". */
function anchorName(p: Parsed, n: number, scripts: Map<number, string>): string {
  const own = keyOf(p, n, scripts);
  const up = p.retainer?.get(n);
  return up === undefined ? own : `${keyOf(p, up[0], scripts)} .${up[1]} → ${own}`;
}

export type Group = { key: string; count: number; bytes: number; retainers: Array<[string, number]> };

export type HeapDiff = {
  newObjects: number;
  newBytes: number;
  groups: Group[];
  closuresByFile: Array<[string, number]>;
  /** New bytes by the old (idle-time) object that reaches them first: which long-lived structure holds them. */
  owners: Array<[string, number]>;
  /** The kinds of new objects each owner holds, by bytes. */
  ownerKinds: Map<string, Array<[string, number]>>;
};

export async function heapDiff(baselinePath: string, loadedPath: string): Promise<HeapDiff> {
  const before = parse(JSON.parse(await readFile(baselinePath, "utf8")) as Snapshot);
  const known = new Set<number>();
  for (let n = 0; n < before.s.nodes.length / before.nf; n++) known.add(before.id(n));
  const p = parse(JSON.parse(await readFile(loadedPath, "utf8")) as Snapshot);
  const count = p.s.nodes.length / p.nf;
  const isNew = new Uint8Array(count);
  const scripts = new Map<number, string>();
  const keys = new Array<string>(count);
  const groups = new Map<string, Group>();
  const byFile = new Map<string, number>();
  let newObjects = 0;
  let newBytes = 0;
  for (let n = 0; n < count; n++) {
    if (known.has(p.id(n))) continue;
    const t = p.type(n);
    // Compiled code and V8's internal arrays are not what a task holds on to.
    if (t === "synthetic") continue;
    isNew[n] = 1;
    const key = keyOf(p, n, scripts);
    keys[n] = key;
    const g = groups.get(key) ?? { key, count: 0, bytes: 0, retainers: [] };
    g.count++;
    g.bytes += p.size(n);
    groups.set(key, g);
    newObjects++;
    newBytes += p.size(n);
    if (t === "closure") {
      const file = scriptOf(p, n, scripts);
      byFile.set(file, (byFile.get(file) ?? 0) + 1);
    }
  }
  // Who holds the new objects: the first strong retainer seen, by kind and edge name.
  const retainers = new Map<string, Map<string, number>>();
  for (let n = 0; n < count; n++) {
    for (const [t, name, to] of edgesOf(p, n)) {
      if (!isNew[to] || t === "weak") continue;
      const key = keys[to] as string;
      const r = `${keyOf(p, n, scripts)} .${t === "element" ? "[]" : name}`;
      const m = retainers.get(key) ?? new Map<string, number>();
      m.set(r, (m.get(r) ?? 0) + 1);
      retainers.set(key, m);
    }
  }
  const anchors = new Set<number>();
  for (let n = 0; n < count; n++) {
    if (isNew[n]) continue;
    for (const [t, , to] of edgesOf(p, n)) if (isNew[to] && t !== "weak") anchors.add(n);
  }
  p.retainer = new Map();
  for (let n = 0; n < count; n++) {
    if (isNew[n]) continue;
    for (const [t, name, to] of edgesOf(p, n))
      if (t === "property" && anchors.has(to) && !p.retainer.has(to)) p.retainer.set(to, [n, name]);
  }
  // Owners: a breadth-first walk from every old object into the new ones; each new object is
  // charged to the old object (and edge) that reaches it by the shortest path.
  const owner = new Int32Array(count).fill(-1);
  const ownerLabels: string[] = [];
  const labelIds = new Map<string, number>();
  let frontier: number[] = [];
  for (let n = 0; n < count; n++) {
    if (isNew[n]) continue;
    for (const [t, name, to] of edgesOf(p, n)) {
      if (!isNew[to] || owner[to] !== -1 || t === "weak") continue;
      const label = `${anchorName(p, n, scripts)} .${t === "element" ? "[]" : name}`;
      let id = labelIds.get(label);
      if (id === undefined) {
        id = ownerLabels.push(label) - 1;
        labelIds.set(label, id);
      }
      owner[to] = id;
      frontier.push(to);
    }
  }
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const n of frontier)
      for (const [t, , to] of edgesOf(p, n)) {
        if (!isNew[to] || owner[to] !== -1 || t === "weak") continue;
        owner[to] = owner[n] as number;
        next.push(to);
      }
    frontier = next;
  }
  const ownerBytes = new Map<string, number>();
  const ownerKinds = new Map<string, Map<string, number>>();
  for (let n = 0; n < count; n++) {
    if (!isNew[n]) continue;
    const o = owner[n] as number;
    const label = o === -1 ? "(unreached)" : (ownerLabels[o] as string);
    ownerBytes.set(label, (ownerBytes.get(label) ?? 0) + p.size(n));
    const kinds = ownerKinds.get(label) ?? new Map<string, number>();
    kinds.set(keys[n] as string, (kinds.get(keys[n] as string) ?? 0) + p.size(n));
    ownerKinds.set(label, kinds);
  }
  for (const g of groups.values()) {
    g.retainers = [...(retainers.get(g.key) ?? new Map<string, number>())]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3);
  }
  return {
    newObjects,
    newBytes,
    groups: [...groups.values()].sort((a, b) => b.bytes - a.bytes),
    closuresByFile: [...byFile].sort((a, b) => b[1] - a[1]),
    owners: [...ownerBytes].sort((a, b) => b[1] - a[1]),
    ownerKinds: new Map(
      [...ownerKinds].map(([o, k]) => [o, [...k].sort((a, b) => b[1] - a[1]).slice(0, 12)] as const),
    ),
  };
}

/** Markdown: the top groups per task (count and bytes divided by `tasks`). */
export function formatHeapDiff(d: HeapDiff, tasks: number, top = 40): string {
  const per = (x: number) => (x / tasks).toFixed(1);
  const lines = [
    `New objects: ${d.newObjects} (${(d.newBytes / 2 ** 20).toFixed(1)} MB), per task ${per(d.newObjects)} objects, ${(d.newBytes / tasks / 1024).toFixed(1)} KB self size.`,
    "",
    "| kind | per task | bytes per task | held by (most common) |",
    "| --- | --- | --- | --- |",
  ];
  for (const g of d.groups.slice(0, top)) {
    const held = g.retainers.map(([r, c]) => `${r} (${per(c)})`).join("; ");
    lines.push(`| ${g.key} | ${per(g.count)} | ${per(g.bytes)} | ${held.replaceAll("|", "\\|")} |`);
  }
  lines.push(
    "",
    "| held by (old object → edge; new bytes reached first from it) | KB per task |",
    "| --- | --- |",
  );
  for (const [o, b] of d.owners.slice(0, 25))
    lines.push(`| ${o.replaceAll("|", "\\|")} | ${(b / tasks / 1024).toFixed(2)} |`);
  for (const [o] of d.owners.slice(0, 3)) {
    lines.push("", `What ${o} holds, per task:`, "", "| kind | bytes per task |", "| --- | --- |");
    for (const [k, b] of d.ownerKinds.get(o) ?? []) lines.push(`| ${k} | ${per(b)} |`);
  }
  lines.push("", "| closures from | per task |", "| --- | --- |");
  for (const [f, c] of d.closuresByFile.slice(0, 20)) lines.push(`| ${f} | ${per(c)} |`);
  return lines.join("\n");
}
