import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadPrices } from "../../src/config/prices.ts";
import { ConfigError } from "../../src/core/errors.ts";
import { DEFAULT_PRICES, priceFor } from "../../src/core/providers/pricing.ts";

describe("AGENTS_PRICES", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "prices-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const file = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  it("given no file, then the dated defaults", () => {
    assert.deepEqual(loadPrices(undefined), DEFAULT_PRICES);
  });

  it("given a file, then its prices are merged over the defaults and null unprices a model", async () => {
    const path = await file(
      "ok.json",
      JSON.stringify({
        as_of: "2026-01-15",
        models: { "llama3.1:8b": { input_per_mtok: 0, output_per_mtok: 0 }, "gpt-4o": null },
      }),
    );
    const t = loadPrices(path);
    assert.deepEqual(priceFor("llama3.1:8b", t), { input_per_mtok: 0, output_per_mtok: 0 });
    assert.equal(priceFor("gpt-4o", t), undefined);
    assert.ok(priceFor("gpt-4.1", t));
  });

  it("given a typo in a price, then a ConfigError names the file and the field", async () => {
    const path = await file(
      "bad.json",
      JSON.stringify({ models: { m: { input_per_mtok: 1, output_per_mtk: 2 } } }),
    );
    assert.throws(
      () => loadPrices(path),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.message.includes(`AGENTS_PRICES=${path}`) &&
        err.message.includes("models.m"),
    );
  });

  it("given a file that is not JSON or not there, then a ConfigError says so", async () => {
    const path = await file("junk.json", "{ not json");
    assert.throws(() => loadPrices(path), /cannot read it as JSON/);
    assert.throws(() => loadPrices(join(dir, "missing.json")), /AGENTS_PRICES=.*missing\.json: cannot read/);
  });
});
