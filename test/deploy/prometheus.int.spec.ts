// deploy/prometheus.yml and the alert rules, through Debian's promtool: the config and the rules
// check, the rules' unit tests pass, and every alert has a unit test that sees it fire.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { ALERT_RULES, ALERT_TESTS, promtool } from "../support/prometheus.ts";

const CONFIG = fileURLToPath(new URL("../../deploy/prometheus.yml", import.meta.url));

type Rules = { groups: Array<{ rules: Array<{ alert: string }> }> };
type RuleTests = {
  rule_files: string[];
  tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
};

describe("deploy/prometheus", () => {
  it("given the scrape config, when promtool checks it, then it and the rule files it loads are valid", async () => {
    const r = await promtool(["check", "config", CONFIG]);
    assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /prometheus\/alerts\.yml/, "the config loads the alert rules");
  });

  it("given the alert rules, when promtool checks them, then every rule is valid", async () => {
    const r = await promtool(["check", "rules", ALERT_RULES]);
    assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
    const rules = parse(await readFile(ALERT_RULES, "utf8")) as Rules;
    const count = rules.groups.flatMap((g) => g.rules).length;
    assert.match(r.stdout, new RegExp(`SUCCESS: ${count} rules found`));
  });

  it("given the rules' unit tests, when promtool runs them, then they pass", async () => {
    const r = await promtool(["test", "rules", ALERT_TESTS]);
    assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /SUCCESS/);
  });

  it("given every alert, then a unit test expects it to fire", async () => {
    const rules = parse(await readFile(ALERT_RULES, "utf8")) as Rules;
    const tests = parse(await readFile(ALERT_TESTS, "utf8")) as RuleTests;
    assert.deepEqual(tests.rule_files, ["alerts.yml"]);
    const fired = new Set(
      tests.tests
        .flatMap((t) => t.alert_rule_test ?? [])
        .filter((a) => a.exp_alerts.length > 0)
        .map((a) => a.alertname),
    );
    for (const { alert } of rules.groups.flatMap((g) => g.rules))
      assert.ok(fired.has(alert), `${alert} is tested firing`);
  });

  it("given a rule that is wrong, when promtool runs the unit tests against it, then they fail (the tests can fail)", async () => {
    const broken = (await readFile(ALERT_RULES, "utf8")).replace(
      "max(agents_projection_lag_events) > 1000",
      "max(agents_projection_lag_events) > 100000",
    );
    assert.notEqual(broken, await readFile(ALERT_RULES, "utf8"));
    const dir = await mkdtemp(join(tmpdir(), "agents-rules-"));
    try {
      await writeFile(join(dir, "alerts.yml"), broken);
      await writeFile(join(dir, "alerts.test.yml"), await readFile(ALERT_TESTS, "utf8"));
      const r = await promtool(["test", "rules", join(dir, "alerts.test.yml")]);
      assert.notEqual(r.code, 0);
      assert.match(`${r.stdout}${r.stderr}`, /AgentsProjectionLag/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
