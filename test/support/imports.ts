// The import graph of src/, read with TypeScript's own pre-processor (static, type-only, re-export
// and dynamic imports alike), for the architecture tests.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const SRC = join(REPO, "src");

/** One import: the file (repo-relative), what it names, and the resolved file for relative ones. */
export type Import = { file: string; specifier: string; target: string | undefined; line: number };

/** Every .ts file under a folder, repo-relative, sorted. */
export function sourceFiles(dir = SRC): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts")) out.push(relative(REPO, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** The imports of one file (repo-relative path). */
export function importsOf(file: string): Import[] {
  const text = readFileSync(join(REPO, file), "utf8");
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((f) => {
    const line =
      ts.getLineAndCharacterOfPosition(ts.createSourceFile(file, text, ts.ScriptTarget.ES2022), f.pos).line +
      1;
    const target = f.fileName.startsWith(".")
      ? relative(REPO, resolve(REPO, dirname(file), f.fileName))
      : undefined;
    return { file, specifier: f.fileName, target, line };
  });
}

/** Every import of every file under src/. */
export function importGraph(): Import[] {
  return sourceFiles().flatMap(importsOf);
}

/** The circles (strongly connected components of two files or more, or a file importing itself). */
export function importCircles(imports: readonly Import[]): string[][] {
  const edges = new Map<string, Set<string>>();
  for (const i of imports) {
    if (!i.target) continue;
    const set = edges.get(i.file) ?? new Set<string>();
    set.add(i.target);
    edges.set(i.file, set);
  }
  // Tarjan's algorithm.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, idx.get(w) ?? 0));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || edges.get(v)?.has(v)) circles.push(scc.sort());
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) visit(v);
  return circles;
}
