// Debian's `prometheus` package in tests: promtool checks scrapes and rule files, and a real
// Prometheus server scrapes a test stack. Both are found (or installed) the way .ci/run does it,
// with scripts/ensure-debian-tool.sh. The server listens on a free loopback port, keeps its data in
// a temporary folder and scrapes only the loopback targets it is given.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { freePort } from "./free-port.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const ALERT_RULES = join(ROOT, "deploy/prometheus/alerts.yml");
export const ALERT_TESTS = join(ROOT, "deploy/prometheus/alerts.test.yml");

let ensured: Promise<void> | undefined;
// Servers still running when the test process exits are killed with it.
const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of live) c.kill("SIGKILL");
});

/** Make sure promtool and prometheus are installed (Debian's package), once per test process. */
export function ensurePrometheus(): Promise<void> {
  ensured ??= run("bash", [join(ROOT, "scripts/ensure-debian-tool.sh"), "promtool", "prometheus"]).then(
    (r) => {
      if (r.code !== 0) throw new Error(`could not install Debian's prometheus package:\n${r.stderr}`);
    },
  );
  return ensured;
}

export type Run = { code: number | null; stdout: string; stderr: string };

/** Run promtool with these arguments (and `stdin`). */
export async function promtool(args: string[], stdin?: string): Promise<Run> {
  await ensurePrometheus();
  return run("promtool", args, stdin);
}

/** What `promtool check metrics` says about a scrape: "" when it has nothing to say. */
export async function checkMetrics(scrape: string): Promise<string> {
  const r = await promtool(["check", "metrics"], scrape);
  return r.code === 0 ? `${r.stdout}${r.stderr}`.trim() : `exit ${r.code}: ${r.stdout}${r.stderr}`;
}

export type PrometheusHandle = {
  url: string;
  /** An instant query's result vector (throws when Prometheus answers an error). */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  /** Poll a query until `done` holds for its result (or throw after timeoutMs with the last answer). */
  waitFor(expr: string, done: (values: number[]) => boolean, timeoutMs?: number): Promise<number[]>;
  /** The scrape targets and their health, as Prometheus sees them. */
  targets(): Promise<Array<{ job: string; health: string; lastError: string }>>;
  stop(): Promise<void>;
};

/**
 * Start Prometheus scraping `jobs` (job name → loopback host:port targets) every second, with the
 * project's alert rules loaded (so a real server evaluates them too).
 */
export async function startPrometheus(jobs: Record<string, string[]>): Promise<PrometheusHandle> {
  await ensurePrometheus();
  const dir = await mkdtemp(join(tmpdir(), "agents-prometheus-"));
  const port = await freePort();
  const config = {
    global: { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s" },
    rule_files: [ALERT_RULES],
    scrape_configs: Object.entries(jobs).map(([job_name, targets]) => ({
      job_name,
      static_configs: [{ targets }],
    })),
  };
  await writeFile(join(dir, "prometheus.yml"), stringify(config));
  const child: ChildProcess = spawn(
    "prometheus",
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  live.add(child);
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8000);
  });
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      live.delete(child);
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready:\n${stderr}`);
    }
    await sleep(200);
  }
  const api = async <T>(path: string): Promise<T> => {
    const body = (await (await fetch(`${url}${path}`)).json()) as { status: string; data: T; error?: string };
    if (body.status !== "success") throw new Error(`prometheus ${path}: ${body.error ?? body.status}`);
    return body.data;
  };
  const query: PrometheusHandle["query"] = async (expr) =>
    (
      await api<{
        resultType: string;
        result: Array<{ metric: Record<string, string>; value: [number, string] }>;
      }>(`/api/v1/query?query=${encodeURIComponent(expr)}`)
    ).result;
  return {
    url,
    query,
    waitFor: async (expr, done, timeoutMs = 30_000) => {
      const until = Date.now() + timeoutMs;
      let values: number[] = [];
      for (;;) {
        values = (await query(expr)).map((r) => Number(r.value[1]));
        if (done(values)) return values;
        if (Date.now() > until)
          throw new Error(
            `timed out after ${timeoutMs} ms waiting on ${expr}; last: ${JSON.stringify(values)}`,
          );
        await sleep(500);
      }
    },
    targets: async () =>
      (
        await api<{ activeTargets: Array<{ labels: { job: string }; health: string; lastError: string }> }>(
          "/api/v1/targets",
        )
      ).activeTargets.map((t) => ({ job: t.labels.job, health: t.health, lastError: t.lastError })),
    stop,
  };
}

function run(cmd: string, args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { env: { ...process.env, PATH: `/usr/sbin:/usr/bin:${process.env.PATH ?? ""}` }, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== "number") return reject(err);
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
    // A program that exits before reading all of its input closes the pipe: its exit code and
    // stderr say why, so the write's EPIPE is not the error to report.
    child.stdin?.on("error", () => {});
    child.stdin?.end(stdin ?? "");
  });
}
