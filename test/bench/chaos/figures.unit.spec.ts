// The fault suite's verdicts: which broken figures fail the run (and so CI), and which are reported
// as known broken because the fix for what they catch has not landed yet.
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { describe, it } from "node:test";
import { result, ScenarioReport, scenarioLines } from "../../../bench/chaos/figures.ts";
import { KNOWN_BROKEN } from "../../../bench/chaos/known-broken.ts";

const KNOWN = [{ scenario: "poison", figure: "stuck", why: "issue 10 finding 2" }];

describe("fault suite figures", () => {
  it("given a must-hold figure not listed as known, when it breaks, then the scenario is broken", () => {
    const r = new ScenarioReport("poison", KNOWN);
    r.zero("lost", 2);
    assert.deepEqual(
      r.broken.map((f) => f.name),
      ["lost"],
    );
    assert.equal(r.knownBroken.length, 0);
    assert.match(scenarioLines(r).join("\n"), /lost +2 {2}\(must be = 0: BROKEN\)/);
    assert.equal(result(r), "BROKEN: lost 2");
  });

  it("given a figure listed as known broken, when it breaks, then it is reported but does not break the scenario", () => {
    const r = new ScenarioReport("poison", KNOWN);
    r.zero("stuck", 3);
    r.zero("lost", 0);
    assert.equal(r.broken.length, 0);
    assert.deepEqual(
      r.knownBroken.map((f) => f.name),
      ["stuck"],
    );
    assert.match(
      scenarioLines(r).join("\n"),
      /stuck +3 {2}\(must be = 0: KNOWN BROKEN, issue 10 finding 2\)/,
    );
    assert.equal(result(r), "known broken (issue 10 finding 2): stuck 3");
  });

  it("given a figure listed as known broken in another scenario, when it breaks here, then the scenario is broken", () => {
    const r = new ScenarioReport("worker-kills", KNOWN);
    r.zero("stuck", 1);
    assert.equal(r.broken.length, 1);
  });

  it("given a figure listed as known broken, when it holds, then the line says to make it must-hold again", () => {
    const r = new ScenarioReport("poison", KNOWN);
    r.zero("stuck", 0);
    assert.equal(r.broken.length + r.knownBroken.length, 0);
    assert.match(
      scenarioLines(r).join("\n"),
      /ok, though listed as known broken \(issue 10 finding 2\): make it must-hold/,
    );
    assert.equal(result(r), "ok");
  });

  it("given a p90 limit, when nothing was measured, then the figure breaks", () => {
    const r = new ScenarioReport("worker-kills", []);
    r.times("redelivery", [], 10);
    assert.deepEqual(
      r.broken.map((f) => f.name),
      ["redelivery p90 s"],
    );
  });

  it("given the suite's own list, then every entry names one of the suite's scenarios and a reason", async () => {
    const dir = new URL("../../../bench/chaos/scenarios/", import.meta.url);
    const names = new Set<string>();
    for (const file of await readdir(dir)) {
      const mod = (await import(new URL(file, dir).href)) as Record<string, { name?: unknown }>;
      for (const s of Object.values(mod)) if (typeof s.name === "string") names.add(s.name);
    }
    for (const k of KNOWN_BROKEN) {
      assert.ok(names.has(k.scenario), `no scenario "${k.scenario}" (${[...names].join(", ")})`);
      assert.ok(k.figure.length > 0 && k.why.length > 0, JSON.stringify(k));
    }
  });
});
