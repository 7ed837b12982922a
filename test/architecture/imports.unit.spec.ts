// The layout is enforced, not a habit: the pure core does no I/O and needs nothing outside itself,
// src/nats is the only JetStream adapter, actors do not reach into each other, and no import circle
// is left in src/. (biome's noRestrictedImports says the same for src/core while editing.)
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Import, importCircles, importGraph, importsOf, sourceFiles } from "../support/imports.ts";

/** Modules that do I/O (or log through pino, or count through prom-client): never imported by src/core. */
const IO_MODULES = [
  /^@nats-io\//,
  /^fastify($|\/)/,
  /^@fastify\//,
  /^arangojs($|\/)/,
  /^execa$/,
  /^pino($|\/)/,
  /^prom-client$/,
  /^(node:)?fs($|\/)/,
  /^(node:)?child_process$/,
  /^(node:)?net$/,
  /^(node:)?https?$/,
];

const graph = importGraph();
const where = (i: Import) => `${i.file}:${i.line} imports ${i.specifier}`;

describe("given the source tree", () => {
  it("when src/core's imports are read, then none does I/O and none leaves src/core", () => {
    const core = graph.filter((i) => i.file.startsWith("src/core/"));
    assert.ok(core.length > 50, "src/core has imports to check");
    const io = core.filter((i) => IO_MODULES.some((re) => re.test(i.specifier)));
    assert.deepEqual(io.map(where), []);
    const outside = core.filter((i) => i.target !== undefined && !i.target.startsWith("src/core/"));
    assert.deepEqual(outside.map(where), []);
  });

  it("when @nats-io is imported, then only from src/nats", () => {
    const nats = graph.filter((i) => i.specifier.startsWith("@nats-io/") && !i.file.startsWith("src/nats/"));
    assert.deepEqual(nats.map(where), []);
  });

  it("when an actor or the gateway imports, then never another actor's folder", () => {
    const actorOf = (path: string | undefined) => /^src\/actors\/([^/]+)\//.exec(path ?? "")?.[1];
    const crossing = graph.filter((i) => {
      const to = actorOf(i.target);
      if (!to) return false;
      const from = actorOf(i.file);
      return (from !== undefined && from !== to) || i.file.startsWith("src/gateway/");
    });
    assert.deepEqual(crossing.map(where), []);
  });

  it("when the imports of src/ are followed, then no circle is found", () => {
    assert.deepEqual(importCircles(graph), []);
  });

  it("when a circle or a forbidden import is planted, then the checks find it (they are not vacuous)", () => {
    const planted: Import[] = [
      { file: "a.ts", specifier: "./b.ts", target: "b.ts", line: 1 },
      { file: "b.ts", specifier: "./a.ts", target: "a.ts", line: 1 },
    ];
    assert.deepEqual(importCircles(planted), [["a.ts", "b.ts"]]);
    assert.ok(IO_MODULES.some((re) => re.test("@nats-io/jetstream")));
    assert.ok(IO_MODULES.some((re) => re.test("node:fs/promises")));
    assert.ok(IO_MODULES.some((re) => re.test("prom-client")));
    // The reader sees type-only imports too (a type import is how circles crept in before).
    const nats = sourceFiles().find((f) => f.startsWith("src/nats/"));
    assert.ok(nats && importsOf(nats).length > 0);
  });
});
