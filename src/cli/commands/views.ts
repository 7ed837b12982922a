// How the CLI shows a job: one line with a progress bar, counts, cost and quality.
import { bar, usd } from "../format.ts";

export type JobView = {
  job_id: string;
  status: string;
  spec: string | null;
  count: number | null;
  infinite: boolean;
  iterations_planned: number;
  iterations: Record<string, number>;
  progress: Record<string, number>;
  cost_usd: number;
  quality: { critiques: number; quality: number; compliance: number };
  reason: string | null;
};

/** Iterations ended so far. */
export function ended(j: JobView): number {
  return Object.values(j.iterations).reduce((a, b) => a + b, 0);
}

/** One line: id, bar, iterations, live task counts, cost, average quality, status. */
export function jobLine(j: JobView): string {
  const total = j.count ?? j.iterations_planned;
  const done = ended(j);
  const live = ["running", "queued", "pending", "interrupted", "failed"]
    .filter((s) => (j.progress[s] ?? 0) > 0)
    .map((s) => `${s} ${j.progress[s]}`);
  const q = j.quality.critiques > 0 ? ` · quality ${j.quality.quality.toFixed(1)}` : "";
  const of = j.infinite ? `${done}/∞ (planned ${j.iterations_planned})` : `${done}/${total}`;
  const why = j.reason && j.status !== "running" ? ` (${j.reason})` : "";
  return `${j.job_id} ${bar(done, total)} ${of} iterations${live.length ? ` · ${live.join(" · ")}` : ""} · ${usd(j.cost_usd)}${q} · ${j.status}${why}`;
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
