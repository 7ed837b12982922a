// Metrics through the real stack, in the production layout: one process per role, each on its own
// NATS user (the shipped deploy/nats/auth.conf), each serving /metrics. Jobs run end to end (one
// attempt fails and is retried, one task is dead-lettered); then every process's scrape passes
// `promtool check metrics`, its series count what the stream holds, the dashboard and the alert
// rules name only metrics the scrapes declare, and a real Prometheus (Debian's package) scraping the
// four processes answers the tasks' count and fires the dead-letter alert.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { NatsConnection } from "@nats-io/transport-node";
import { parse } from "yaml";
import { Subjects } from "../../src/core/events/index.ts";
import type { StoredEvent } from "../../src/core/ports/event-store.ts";
import { type StoredMeta, storeToken } from "../../src/executors/claude-auth-dir.ts";
import { StreamReader } from "../../src/nats/index.ts";
import { type Dashboard, dashboardQueries } from "../support/grafana.ts";
import { type ActorProcess, FAKE_CLAUDE, freePort, retryUntil, spawnActor } from "../support/index.ts";
import { ALERT_RULES, checkMetrics, type PrometheusHandle, startPrometheus } from "../support/prometheus.ts";
import { parseScrape, promqlMetricNames, type Scrape } from "../support/scrape.ts";
import { type SecuredNats, startSecuredNats } from "../support/secured-nats.ts";
import { until } from "./support.ts";

const DASHBOARD = fileURLToPath(
  new URL("../../deploy/grafana/dashboards/infinite-agents.json", import.meta.url),
);

/** The four processes, by the Prometheus job name deploy/prometheus.yml gives them. */
type Process = "agents-gateway" | "agents-orchestrator" | "agents-worker" | "agents-critic";

describe("metrics of every process of a running stack", () => {
  let s: SecuredNats;
  let dir: string;
  let storedToken: StoredMeta | undefined;
  let operator: NatsConnection;
  let prometheus: PrometheusHandle | undefined;
  const actors: ActorProcess[] = [];
  const targets = {} as Record<Process, string>;
  const logs = () => actors.map((a) => a.logs().slice(-2500)).join("\n---\n");
  let events: StoredEvent[] = [];
  let scrapes = {} as Record<Process, Scrape>;
  let jobs: string[] = [];

  const api = async (path: string, body?: unknown) =>
    fetch(`http://${targets["agents-gateway"]}${path}`, {
      method: body === undefined ? "GET" : "POST",
      ...(body === undefined
        ? {}
        : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
  const scrape = async (p: Process): Promise<Scrape> => {
    const res = await fetch(`http://${targets[p]}/metrics`);
    assert.equal(res.status, 200, `${p} /metrics`);
    return parseScrape(await res.text());
  };
  const submit = async (spec: string, count: number): Promise<string> => {
    const res = await api("/v1/agents/submit", { spec, count });
    assert.equal(res.status, 202, await res.clone().text());
    return ((await res.json()) as { job_id: string }).job_id;
  };
  const readAll = async (): Promise<StoredEvent[]> => {
    const out: StoredEvent[] = [];
    for await (const e of new StreamReader(operator).readEvents(Subjects.all)) out.push(e);
    return out;
  };
  /** Work waiting for a worker or held by one, per lane, as the gateway's scrape says. */
  const held = (x: Scrape) =>
    [...x.select("agents_work_pending_messages"), ...x.select("agents_work_ack_pending_messages")]
      .filter((m) => m.value > 0)
      .map((m) => `${m.name}{queue=${m.labels.queue},band=${m.labels.band}} ${m.value}`);
  const of = (type: string) => events.filter((e) => e.event.type === type);

  before(async () => {
    s = await startSecuredNats();
    dir = await mkdtemp(join(tmpdir(), "agents-metrics-"));
    const [gw, orch, work, crit] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    Object.assign(targets, {
      "agents-gateway": `127.0.0.1:${gw}`,
      "agents-orchestrator": `127.0.0.1:${orch}`,
      "agents-worker": `127.0.0.1:${work}`,
      "agents-critic": `127.0.0.1:${crit}`,
    });
    const base = {
      AGENTS_DATA_DIR: join(dir, "data"),
      AGENTS_EXECUTOR: "claude",
      CLAUDE_COMMAND: FAKE_CLAUDE,
      FIXTURE_LOG: join(dir, "fixture.log"),
      FIXTURE_STATE_DIR: dir,
      AGENTS_AGENT_ENV: "FIXTURE_LOG,FIXTURE_STATE_DIR",
      AGENTS_WORK_ACK_WAIT_MS: "3000",
      AGENTS_RETRY_BASE_MS: "300",
      AGENTS_PROGRESS_EVERY_MS: "1000",
      AGENTS_MAX_ATTEMPTS: "2",
      LOG_LEVEL: "warn",
    };
    // Prometheus first, so its first samples of every counter come before the jobs (increase()
    // and the alerts see the dead letter happen).
    // The standard worker takes its Claude token from a directory `agents auth setup` writes (the
    // fixture CLI accepts any), so it reports the token's expiry; the critic uses its environment's.
    const authDir = join(dir, "claude-auth");
    storedToken = await storeToken(authDir, `sk-ant-oat01-${"e".repeat(48)}`);
    prometheus = await startPrometheus(
      Object.fromEntries(Object.entries(targets).map(([job, target]) => [job, [target]])),
    );
    actors.push(
      spawnActor("orchestrator", { ...base, ...s.envFor("orchestrator"), AGENTS_METRICS_PORT: String(orch) }),
      spawnActor("worker", {
        ...base,
        ...s.envFor("worker"),
        AGENTS_QUEUES: "standard,heavy",
        AGENTS_METRICS_PORT: String(work),
        AGENTS_CLAUDE_AUTH_DIR: authDir,
        CLAUDE_CODE_OAUTH_TOKEN: "",
        ANTHROPIC_API_KEY: "",
      }),
      spawnActor("worker", {
        ...base,
        ...s.envFor("critic"),
        AGENTS_QUEUES: "critic",
        AGENTS_METRICS_PORT: String(crit),
      }),
      spawnActor("gateway", { ...base, ...s.envFor("gateway"), AGENTS_PORT: String(gw) }),
    );
    operator = await s.connectAs("operator");
    await retryUntil(
      async () => {
        const res = await api("/ready");
        if (res.status !== 200) throw new Error(`/ready answered ${res.status}`);
        for (const p of Object.keys(targets) as Process[]) await scrape(p);
      },
      { timeoutMs: 60_000, intervalMs: 300 },
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${logs()}`);
    });
    // Prometheus has a first sample of the dead-letter counter (0) before anything is dead-lettered.
    await prometheus.waitFor(
      'agents_dead_letters_total{type="generator", queue="standard"}',
      (v) => v.length === 1 && v[0] === 0,
      60_000,
    );
    // Two iterations, one of whose first attempt fails (then it is retried and passes), and a job
    // whose only generator fails both of its attempts (then it is dead-lettered).
    jobs = [
      await submit("Write one line about gauges.\nFIXTURE: fail-times 1 metrics-retry", 2),
      await submit("Write one line about nothing.\nFIXTURE: fail", 1),
    ];
    for (const job of jobs)
      await until(
        async () => {
          const body = (await (await api(`/v1/agents/status/${job}`)).json()) as { job: { status: string } };
          return body.job.status === "completed" ? true : undefined;
        },
        90_000,
        `${job} completed`,
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}\n${logs()}`);
      });
    // A job completes on its last critique; the critic's run then records its own outcome and
    // acknowledges its work message (after counting it): once nothing is held, the counts are final.
    let last: string[] = [];
    await until(
      async () => {
        last = held(await scrape("agents-gateway"));
        return last.length === 0 ? true : undefined;
      },
      30_000,
      "no work left waiting or held",
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}: ${last.join(", ")}\n${logs()}`);
    });
    events = (await readAll()).filter((e) => jobs.includes(e.event.job_id ?? ""));
    // The gateway's projections reach the stream's end before its counts are compared.
    await until(
      async () =>
        (await scrape("agents-gateway")).sum("agents_projection_lag_events") === 0 ? true : undefined,
      30_000,
      "projections caught up",
    );
    scrapes = {
      "agents-gateway": await scrape("agents-gateway"),
      "agents-orchestrator": await scrape("agents-orchestrator"),
      "agents-worker": await scrape("agents-worker"),
      "agents-critic": await scrape("agents-critic"),
    };
  });

  after(async () => {
    await prometheus?.stop();
    await Promise.all(actors.map((a) => a.kill("SIGTERM")));
    await operator?.close();
    await s?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("given each process's scrape, when promtool checks it, then it has nothing to say", async () => {
    for (const [p, scrape] of Object.entries(scrapes))
      assert.equal(await checkMetrics(scrape.text), "", `promtool check metrics on ${p}`);
    for (const scrape of Object.values(scrapes))
      for (const name of ["nodejs_active_handles_total", "nodejs_active_requests_total"])
        assert.ok(!scrape.declares(name), `${name} is dropped`);
  });

  it("given the jobs ran, then the orchestrator's counters match the events it recorded", () => {
    const o = scrapes["agents-orchestrator"];
    assert.ok(of("task.retry_scheduled").length >= 1, "the failing attempt was retried");
    assert.equal(of("task.dead_lettered").length, 1, "the failing job's generator was dead-lettered");
    for (const type of ["generator", "critic", "reviser", "continuation"])
      assert.equal(
        o.sum("agents_tasks_created_total", { type }),
        of("task.created").filter((e) => e.event.type === "task.created" && e.event.data.task_type === type)
          .length,
        `tasks created of type ${type}`,
      );
    assert.equal(o.sum("agents_task_retries_total"), of("task.retry_scheduled").length);
    assert.equal(o.sum("agents_dead_letters_total", { type: "generator", queue: "standard" }), 1);
    assert.equal(o.sum("agents_dead_letters_total"), 1);
    assert.equal(o.sum("agents_jobs_completed_total"), 2);
    assert.equal(o.sum("agents_iterations_ended_total"), of("job.iteration_ended").length);
    assert.equal(o.sum("agents_orchestrator_leading"), 1);
    assert.equal(o.sum("agents_orchestrator_active_jobs"), 0);
    assert.equal(
      o.sum("agents_work_dispatched_total"),
      of("task.created").length + of("task.retry_scheduled").length,
      "one work item per task and per retry",
    );
    // The series carry the process's component and never a job or task id.
    assert.ok(o.select("agents_tasks_created_total").every((x) => x.labels.component === "orchestrator"));
    for (const scrape of Object.values(scrapes))
      for (const x of scrape.samples)
        for (const id of jobs)
          assert.ok(!Object.values(x.labels).includes(id), `${x.name} carries no job id`);
  });

  it("given the jobs ran, then the workers' counters and histograms match the runs the stream holds", () => {
    const w = scrapes["agents-worker"];
    const c = scrapes["agents-critic"];
    const taskType = new Map(
      of("task.created").flatMap((e) =>
        e.event.type === "task.created" ? [[e.event.task_id, e.event.data.task_type]] : [],
      ),
    );
    const started = (type: string) =>
      of("task.started").filter((e) => taskType.get(e.event.task_id ?? "") === type);
    assert.equal(w.sum("agents_task_attempts_total", { type: "generator" }), started("generator").length);
    assert.equal(c.sum("agents_task_attempts_total", { type: "critic" }), started("critic").length);
    assert.equal(
      w.sum("agents_task_attempts_total", { type: "critic" }),
      0,
      "critics run on the critic worker",
    );
    const runs = (outcome: string) =>
      w.sum("agents_task_duration_seconds_count", { outcome }) +
      c.sum("agents_task_duration_seconds_count", { outcome });
    assert.equal(runs("completed"), of("task.completed").length);
    assert.equal(runs("failed"), of("task.failed").length);
    assert.ok(of("task.failed").length >= 3, "the retried attempt and both dead-lettered ones failed");
    const failures = new Map<string, number>();
    for (const e of of("task.failed"))
      if (e.event.type === "task.failed")
        failures.set(e.event.data.reason, (failures.get(e.event.data.reason) ?? 0) + 1);
    for (const [reason, n] of failures)
      assert.equal(w.sum("agents_task_failures_total", { reason }), n, reason);
    // Cost and tokens: what the runs' outcome events say they spent, per model.
    let cost = 0;
    for (const e of events) {
      const data = e.event.data as { cost_usd?: number };
      if (e.event.task_id && e.event.type.startsWith("task.") && typeof data.cost_usd === "number")
        cost += data.cost_usd;
    }
    const spent = w.sum("agents_cost_usd_total") + c.sum("agents_cost_usd_total");
    assert.ok(cost > 0 && Math.abs(spent - cost) < 1e-9, `cost ${spent} = ${cost}`);
    assert.ok(w.sum("agents_tokens_total", { kind: "output" }) > 0);
    assert.ok(
      w.select("agents_cost_usd_total").every((x) => x.labels.model && x.labels.component === "worker"),
    );
    // Serving and in flight: what each worker takes, and nothing running once the jobs are over.
    assert.deepEqual(
      w
        .select("agents_worker_serves_queue")
        .map((x) => x.labels.queue)
        .sort(),
      ["heavy", "standard"],
    );
    assert.deepEqual(
      c.select("agents_worker_serves_queue").map((x) => x.labels.queue),
      ["critic"],
    );
    assert.equal(w.sum("agents_worker_tasks_in_flight") + c.sum("agents_worker_tasks_in_flight"), 0);
    assert.equal(
      w.sum("agents_task_queue_wait_seconds_count") + c.sum("agents_task_queue_wait_seconds_count"),
      of("task.created").length + of("task.retry_scheduled").length,
      "one queue wait per work item's first claim",
    );
  });

  it("given the critiques recorded, then the critic's score histograms and counts match them", () => {
    const c = scrapes["agents-critic"];
    const critiques = of("critique.recorded");
    assert.ok(critiques.length >= 2);
    assert.equal(c.sum("agents_critiques_total"), critiques.length);
    for (const dimension of ["compliance", "uniqueness", "quality"]) {
      assert.equal(c.sum("agents_critique_score_count", { dimension }), critiques.length, dimension);
      const total = critiques.reduce(
        (a, e) => a + ((e.event.data as Record<string, number>)[dimension] ?? 0),
        0,
      );
      assert.equal(c.sum("agents_critique_score_sum", { dimension }), total, `${dimension} scores sum`);
    }
    // Judged model: the generator's (the fake agent names the model it was asked for).
    const generated = new Set(
      of("task.completed").flatMap((e) => (e.event.type === "task.completed" ? [e.event.data.model] : [])),
    );
    assert.ok(c.select("agents_critiques_total").every((x) => generated.has(x.labels.model ?? "")));
  });

  it("given the gateway's scrape, then it shows the queues from the projections and JetStream's consumers and lease, as the gateway's NATS user", () => {
    const g = scrapes["agents-gateway"];
    const completed = of("task.completed").length;
    assert.equal(g.sum("agents_queue_tasks", { status: "completed" }), completed);
    assert.equal(g.sum("agents_queue_tasks", { status: "dead_lettered" }), 1);
    assert.equal(g.sum("agents_submissions_total", { outcome: "new" }), 2);
    // Every work lane's consumer and the orchestrator's durable consumer are read (permitted).
    assert.equal(g.select("agents_work_pending_messages").length, 9, "3 queues × 3 bands");
    assert.deepEqual(held(g), [], "no work left waiting or held once the jobs completed");
    assert.equal(g.select("agents_consumer_pending_messages", { consumer: "orchestrator" }).length, 1);
    assert.equal(g.sum("agents_orchestrator_lease_live"), 1);
    assert.equal(g.sum("agents_nats_connected"), 1);
    assert.ok(g.sum("agents_stream_messages", { stream: "AGENTS" }) >= events.length);
    assert.deepEqual(s.violations(), [], "the server refused nobody anything");
  });

  it("given the gateway's scrape, then each worker's Claude credentials are ok, and the stored token's expiry is exported", () => {
    const g = scrapes["agents-gateway"];
    const auth = g.select("agents_executor_auth_state", { route: "claude", executor: "claude" });
    assert.deepEqual(
      auth.map((m) => [m.labels.state, m.value]),
      [
        ["ok", 1],
        ["ok", 1],
      ],
      "two workers, credentials ok",
    );
    const expiry = g.select("agents_executor_auth_expiry_timestamp_seconds", { route: "claude" });
    assert.equal(expiry.length, 1, "only the worker with a stored token knows an expiry");
    assert.equal(expiry[0]?.labels.method, "oauth_token");
    assert.equal(expiry[0]?.value, Date.parse(storedToken?.expires_at ?? "") / 1000);
  });

  it("given the dashboard and the alert rules, then every metric they name is declared by some process's scrape", async () => {
    const declared = (name: string) =>
      name === "up" || name === "ALERTS" || Object.values(scrapes).some((x) => x.declares(name));
    const dashboard = JSON.parse(await readFile(DASHBOARD, "utf8")) as Dashboard;
    const queries = dashboardQueries(dashboard);
    for (const q of queries)
      for (const name of promqlMetricNames(q.expr))
        assert.ok(declared(name), `dashboard "${q.panel.title}" names ${name}, which no process exports`);
    const rules = parse(await readFile(ALERT_RULES, "utf8")) as {
      groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
    };
    for (const r of rules.groups.flatMap((g) => g.rules))
      for (const name of promqlMetricNames(r.expr))
        assert.ok(declared(name), `alert ${r.alert} names ${name}, which no process exports`);
  });

  it("given a real Prometheus scraping the four processes, then a query returns the jobs' task count and the dead-letter alert fires", async () => {
    const p = prometheus;
    assert.ok(p);
    const tasks = of("task.created").length;
    await p.waitFor("sum(agents_tasks_created_total)", (v) => v[0] === tasks, 30_000);
    const health = await p.targets();
    assert.deepEqual(
      health.map((t) => [t.job, t.health, t.lastError]).sort(),
      (Object.keys(targets) as Process[]).map((job) => [job, "up", ""]).sort(),
    );
    await p.waitFor(
      'ALERTS{alertname="AgentsDeadLettersRising", alertstate="firing"}',
      (v) => v.length === 1,
      30_000,
    );
    // Everything is served and led: those alerts stay quiet.
    for (const alert of [
      "AgentsNoOrchestratorLeading",
      "AgentsNoWorkerServingQueue",
      "AgentsProcessDown",
      "AgentsExecutorAuthFailing",
      "AgentsCredentialsExpireSoon",
    ])
      assert.deepEqual(await p.query(`ALERTS{alertname="${alert}"}`), [], `${alert} is quiet`);
  });
});
