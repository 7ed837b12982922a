// deploy/grafana as data (no Grafana runs here): the dashboard and the provisioning files parse,
// every panel reads the provisioned Prometheus data source, every query is PromQL that parses, and
// every metric it names is documented in docs/observability.md. (That each one exists in a real
// scrape is checked by test/e2e/metrics.e2e.spec.ts.)
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { allPanels, type Dashboard, dashboardQueries } from "../support/grafana.ts";
import { promqlMetricNames } from "../support/scrape.ts";

const GRAFANA = fileURLToPath(new URL("../../deploy/grafana", import.meta.url));
const DOCS = fileURLToPath(new URL("../../docs/observability.md", import.meta.url));

async function dashboards(): Promise<Array<{ file: string; dashboard: Dashboard }>> {
  const dir = join(GRAFANA, "dashboards");
  const files = (await readdir(dir)).filter((f) => f.endsWith(".json"));
  return Promise.all(
    files.map(async (file) => ({
      file,
      dashboard: JSON.parse(await readFile(join(dir, file), "utf8")) as Dashboard,
    })),
  );
}

describe("deploy/grafana", () => {
  it("given the provisioning files, then they parse, name the Prometheus data source and load dashboards from the folder compose mounts", async () => {
    const ds = parse(await readFile(join(GRAFANA, "provisioning/datasources/prometheus.yml"), "utf8")) as {
      datasources: Array<{ uid: string; type: string; url: string }>;
    };
    assert.deepEqual(
      ds.datasources.map((d) => [d.uid, d.type, d.url]),
      [["prometheus", "prometheus", "http://prometheus:9090"]],
    );
    const boards = parse(await readFile(join(GRAFANA, "provisioning/dashboards/agents.yml"), "utf8")) as {
      providers: Array<{ type: string; options: { path: string } }>;
    };
    assert.deepEqual(
      boards.providers.map((p) => [p.type, p.options.path]),
      [["file", "/var/lib/grafana/dashboards"]],
    );
    const compose = await readFile(
      fileURLToPath(new URL("../../deploy/docker-compose.yml", import.meta.url)),
      "utf8",
    );
    assert.match(compose, /\.\/grafana\/dashboards:\/var\/lib\/grafana\/dashboards:ro/);
  });

  it("given each dashboard, then it is valid JSON with unique panel ids and every query is parsing PromQL on the provisioned data source", async () => {
    const all = await dashboards();
    assert.ok(all.length > 0);
    for (const { file, dashboard } of all) {
      assert.ok(dashboard.uid && dashboard.title, `${file} has a uid and a title`);
      const queries = dashboardQueries(dashboard);
      assert.ok(queries.length >= 30, `${file} has its panels' queries (${queries.length})`);
      for (const q of queries) {
        assert.equal(q.panel.datasource?.uid, "prometheus", `${file}: "${q.panel.title}" reads Prometheus`);
        assert.doesNotThrow(() => promqlMetricNames(q.expr), `${file}: "${q.panel.title}": ${q.expr}`);
      }
      const ids = allPanels(dashboard).map((p) => p.id);
      assert.equal(new Set(ids).size, ids.length, `${file}: panel ids are unique`);
    }
  });

  it("given the dashboard's queries, then they show what issue 17 asks for and every metric they name is documented", async () => {
    const docs = await readFile(DOCS, "utf8");
    for (const { file, dashboard } of await dashboards()) {
      const exprs = dashboardQueries(dashboard).map((q) => q.expr);
      const names = new Set(exprs.flatMap(promqlMetricNames));
      for (const name of names)
        if (!name.startsWith("process_") && !name.startsWith("nodejs_"))
          assert.ok(
            docs.includes(`\`${name.replace(/_(bucket|sum|count)$/, "")}\``),
            `${file}: ${name} documented`,
          );
      for (const needed of [
        /increase\(agents_cost_usd_total\[1h\]\)/,
        /agents_critique_score_sum/,
        /histogram_quantile\(0\.5, .*agents_task_duration_seconds_bucket/,
        /histogram_quantile\(0\.95, .*agents_task_duration_seconds_bucket/,
        /agents_rate_limited_total/,
        /agents_model_wait_seconds_total/,
        /agents_dead_letters_total/,
        /agents_projection_lag_events/,
        /agents_consumer_pending_messages/,
      ])
        assert.ok(
          exprs.some((e) => needed.test(e)),
          `${file} has a query matching ${needed}`,
        );
    }
  });
});
