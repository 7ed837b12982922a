import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Applied } from "../../../src/actors/orchestrator/applied.ts";

describe("given events applied by the orchestrator", () => {
  it("when one comes back at its sequence, then it is taken as an echo once, by id and by sequence", () => {
    const applied = new Applied();
    applied.add("e1", 7);
    assert.equal(applied.takeEcho(8), false, "another sequence is no echo");
    assert.equal(applied.takeEcho(7), true);
    assert.equal(applied.takeEcho(7), false, "an echo is taken once");
    assert.equal(applied.has("e1"), false, "and forgotten by id too");
  });

  it("when one is forgotten by id (to be decided again), then its sequence is no echo any more", () => {
    const applied = new Applied();
    applied.add("e1", 7);
    assert.equal(applied.has("e1"), true);
    assert.equal(applied.delete("e1"), true);
    assert.equal(applied.delete("e1"), false);
    assert.equal(applied.takeEcho(7), false);
  });
});
