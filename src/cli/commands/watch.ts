// `agents watch [JOB] [--json]`: live progress bars fed by the gateway's SSE stream (reconnecting
// with Last-Event-ID). With a job it ends when the job's stream does (its `end` frame): exit 0
// completed, 1 cancelled or rejected.
import { setTimeout as sleep } from "node:timers/promises";
import { loadConfig } from "../../config/index.ts";
import { parseCommand } from "../args.ts";
import { call, type GatewayTarget, targetFromConfig } from "../client.ts";
import { CliError, Exit, usage } from "../exit.ts";
import { followSse } from "../sse-client.ts";
import { isFinal, type JobView, jobLine, type SystemView, systemLines } from "./views.ts";

const SYSTEM_EVENTS = new Set(["system.stopped", "system.resumed", "queue.paused", "queue.resumed"]);
/** How often the system state is read again while nothing else changes (ms). */
const SYSTEM_EVERY_MS = 5000;
type Status = { kind: string; job?: JobView; system?: SystemView };
/** The last frame of a job's stream (see src/gateway/job-end.ts). */
type End = { job_id: string; status: string; reason: string; final_seq: number };

/** Redraws one line per job: in place on a terminal, a new line per change otherwise. */
class Bars {
  private readonly jobs = new Map<string, JobView>();
  private readonly printed = new Map<string, string>();
  private drawn = 0;
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private system: SystemView | undefined;
  private readonly systemTimer: NodeJS.Timeout;
  constructor(private readonly t: GatewayTarget) {
    // A watched job shows no event while stopped: read the state now and then, to show it anyway.
    this.systemTimer = setInterval(() => void this.refreshSystem(true), SYSTEM_EVERY_MS);
    this.systemTimer.unref();
  }

  /** Read the system state again; redraw when asked and it changed. */
  async refreshSystem(redraw = false): Promise<void> {
    const s = await call<SystemView>(this.t, "GET", "/v1/agents/system").catch(() => undefined);
    if (!s) return;
    const changed = JSON.stringify(s) !== JSON.stringify(this.system);
    this.system = s;
    if (redraw && changed && !this.quiet) this.draw();
  }

  /** No drawing (--json). */
  quiet = false;

  /** Refresh a job's status soon (requests are batched every 250 ms). */
  touch(jobId: string): void {
    this.pending.add(jobId);
    this.timer ??= setTimeout(() => void this.flush(), 250);
  }

  async fetch(jobId: string): Promise<JobView | undefined> {
    const s = await call<Status>(this.t, "GET", `/v1/agents/status/${jobId}`).catch(() => undefined);
    if (s?.job) this.jobs.set(jobId, s.job);
    return s?.job;
  }

  async flush(): Promise<void> {
    this.timer = undefined;
    const ids = [...this.pending];
    this.pending.clear();
    await Promise.all(ids.map((id) => this.fetch(id)));
    this.draw();
  }

  draw(): void {
    const lines = [...systemLines(this.system), ...[...this.jobs.values()].map(jobLine)];
    if (process.stdout.isTTY) {
      const up = this.drawn > 0 ? `\x1b[${this.drawn}F` : "";
      process.stdout.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join("\n")}\n`);
      this.drawn = lines.length;
      return;
    }
    const rows: Array<[string, string]> = [
      ["system", systemLines(this.system).join("\n")],
      ...[...this.jobs].map(([id, j]): [string, string] => [id, jobLine(j)]),
    ];
    for (const [id, line] of rows) {
      if (line && this.printed.get(id) !== line) process.stdout.write(`${line}\n`);
      this.printed.set(id, line);
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    clearInterval(this.systemTimer);
  }
}

// A job submitted a moment ago may not be projected yet: ask again for a few seconds.
async function waitForJob(bars: Bars, t: GatewayTarget, job: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const s = await call<Status>(t, "GET", `/v1/agents/status/${encodeURIComponent(job)}`);
      if (s.kind !== "job" || !s.job) throw usage(`${job} is a task; watch takes a job id (or none)`);
      await bars.fetch(job);
      return;
    } catch (err) {
      if (!(err instanceof CliError) || err.exitCode !== Exit.NotFound || Date.now() > deadline) throw err;
      await sleep(300);
    }
  }
}

/** Follow one job or all jobs until the job ends or Ctrl-C. */
export async function runWatch(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    { json: { type: "boolean", default: false } },
    "usage: agents watch [JOB] [--json]",
  );
  if (positionals.length > 1) throw usage("usage: agents watch [JOB] [--json]");
  const [job] = positionals;
  const t = targetFromConfig(loadConfig());
  const bars = new Bars(t);
  bars.quiet = values.json;
  await bars.refreshSystem();
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once("SIGINT", onSignal);
  let final: string | undefined;
  try {
    if (job) {
      // A job that already ended replays its history up to its final event, which ends the loop.
      await waitForJob(bars, t, job);
      if (!values.json) bars.draw();
    }
    const path = job ? `/v1/agents/events?job=${encodeURIComponent(job)}` : "/v1/agents/events";
    const onReconnect = (id: number | undefined, why: string) =>
      process.stderr.write(`agents watch: reconnecting after ${id ?? "start"} (${why})\n`);
    for await (const m of followSse(t, path, { signal: abort.signal, onReconnect })) {
      // A job's stream ends with the job: an `end` frame once it and all its tasks have ended.
      if (m.event === "end") {
        const end = JSON.parse(m.data) as End;
        if (values.json) process.stdout.write(`${JSON.stringify({ seq: m.id, type: "end", ...end })}\n`);
        final = end.status;
        break;
      }
      const ev = JSON.parse(m.data) as { type: string; job_id?: string };
      if (values.json) process.stdout.write(`${JSON.stringify({ seq: m.id, ...ev })}\n`);
      else if (ev.job_id) bars.touch(ev.job_id);
      else if (SYSTEM_EVENTS.has(ev.type)) void bars.refreshSystem(true);
    }
    if (job && final && !values.json) {
      // Let the projections reach the end state before the last line.
      for (let i = 0; i < 20 && !isFinal((await bars.fetch(job))?.status ?? ""); i++) await sleep(250);
      bars.draw();
    }
  } finally {
    bars.stop();
    process.off("SIGINT", onSignal);
  }
  if (!job) return Exit.Ok;
  return final === "completed" ? Exit.Ok : Exit.Failure;
}
