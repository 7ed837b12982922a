// How the CLI shows a job: one line with a progress bar, counts, cost and quality.
import { DEFAULT_INFINITE_MAX } from "../../core/submission/index.ts";
import { bar, usd } from "../format.ts";

export type JobView = {
  job_id: string;
  status: string;
  spec: string | null;
  count: number | null;
  infinite: boolean;
  iterations_planned: number;
  /** The cap: what max_iterations the job was accepted with (1000 for infinite unless set). */
  max_iterations?: number | null;
  iterations: Record<string, number>;
  progress: Record<string, number>;
  cost_usd: number;
  quality: { critiques: number; quality: number; compliance: number };
  reason: string | null;
};

/** Iterations ended so far, cancelled ones included. */
export function ended(j: Pick<JobView, "iterations">): number {
  return Object.values(j.iterations).reduce((a, b) => a + b, 0);
}

/** Iterations that ran to an end of their own (passed, exhausted or failed): what fills a bar. */
export function finished(j: Pick<JobView, "iterations">): number {
  return ended(j) - (j.iterations.cancelled ?? 0);
}

/** The iteration cap of an infinite job: its max_iterations, else the default (1000). */
export function infiniteCap(j: Pick<JobView, "max_iterations">): number {
  return j.max_iterations ?? DEFAULT_INFINITE_MAX;
}

/**
 * One line: id, bar, iterations, live task counts, cost, average quality, status. Cancelled
 * iterations do not fill the bar (a cancelled job never looks done), and an infinite job's bar is
 * measured against its cap and ends in "∞" (it never looks full).
 */
export function jobLine(j: JobView): string {
  const total = j.infinite ? infiniteCap(j) : (j.count ?? j.iterations_planned);
  const done = finished(j);
  const cancelled = j.iterations.cancelled ?? 0;
  const live = ["running", "queued", "pending", "interrupted", "failed"]
    .filter((s) => (j.progress[s] ?? 0) > 0)
    .map((s) => `${s} ${j.progress[s]}`);
  const q = j.quality.critiques > 0 ? ` · quality ${j.quality.quality.toFixed(1)}` : "";
  const of = j.infinite
    ? `${done}/∞ iterations (cap ${total}, planned ${j.iterations_planned})`
    : `${done}/${total} iterations`;
  const gone = cancelled > 0 ? ` · ${cancelled} cancelled` : "";
  const why = j.reason && j.status !== "running" ? ` (${j.reason})` : "";
  return `${j.job_id} ${bar(done, total, 24, j.infinite)} ${of}${gone}${live.length ? ` · ${live.join(" · ")}` : ""} · ${usd(j.cost_usd)}${q} · ${j.status}${why}`;
}

/** True once a job will change no more. */
export function isFinal(status: string): boolean {
  return status === "completed" || status === "cancelled" || status === "rejected";
}

/** The recorded system state as the gateway shows it (GET /v1/agents/system). */
export type SystemView = {
  stopped: boolean;
  stop_reason: string | null;
  stopped_since: string | null;
  paused: Array<{ queue: string; reason: string; since: string }>;
};

/** Lines that say an emergency stop is in force or queues are paused (none while all runs). */
export function systemLines(s: SystemView | undefined): string[] {
  if (!s) return [];
  return [
    ...(s.stopped
      ? [`STOPPED since ${s.stopped_since} (${s.stop_reason}): nothing runs until \`agents resume\``]
      : []),
    ...s.paused.map((p) => `paused: ${p.queue} since ${p.since} (${p.reason})`),
  ];
}
