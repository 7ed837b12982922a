// What the AGENTS stream says happened, read the way an auditor would: every stored message, with
// the time the server stored it, folded into facts per job and per task. The stream is the truth;
// nothing here trusts an actor's own account (its logs, its metrics).
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { STREAM_EVENTS, Subjects } from "../../src/core/events/index.ts";
import { readStream, type StreamEntry } from "../stream-read.ts";

/** Event types only the orchestrator writes: a new one after a kill means it decides again. */
const ORCHESTRATOR_TYPES = new Set([
  "job.submitted",
  "job.accepted",
  "job.rejected",
  "job.wave_planned",
  "job.iteration_ended",
  "job.completed",
  "job.cancelled",
  "job.budget_exceeded",
  "task.created",
  "task.queued",
  "task.retry_scheduled",
  "task.dead_lettered",
  "task.cancel_requested",
  "system.stopped",
  "system.resumed",
  "queue.paused",
  "queue.resumed",
]);

/** Events that end a run of a task (the worker that started it is done with it). */
const RUN_ENDS = new Set([
  "task.completed",
  "task.failed",
  "validation.failed",
  "task.interrupted",
  "task.cancelled",
  "task.handoff_requested",
]);

export type Start = { at: number; worker: string; reclaimed: boolean; attempt: number };

export type TaskFacts = {
  job: string;
  created: number;
  completed: number;
  /** Stream sequence and attempt of each task.completed (two of them explain "completed twice"). */
  completions: Array<{ seq: number; attempt: number }>;
  failed: number;
  deadLettered: number;
  starts: Start[];
  /** When each run ended, in stream order. */
  runEnds: number[];
  failures: string[];
};

export type JobFacts = {
  accepted: boolean;
  rejected: boolean;
  completed: number;
  cancelled: boolean;
  endedAt?: number;
  /** completed iterations that failed (dead-lettered, …), from job.completed. */
  iterationsFailed: number;
};

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const num = (v: unknown): number => (typeof v === "number" ? v : Number.NaN);

export class Ledger {
  readonly jobs = new Map<string, JobFacts>();
  readonly tasks = new Map<string, TaskFacts>();
  /** `stream:seq` of every message a consumer rejected and recorded (message.rejected). */
  readonly rejected = new Set<string>();
  /** Stream sequences of submissions the orchestrator rejected as jobs (job.rejected). */
  readonly rejectedSubmissions = new Set<number>();
  /** When the orchestrator stored each of its events, in order. */
  readonly orchestratorTimes: number[] = [];
  readonly systemEvents: Array<{ at: number; type: string }> = [];
  /** Stored messages that are not events at all (garbage, commands), by subject prefix. */
  messages = 0;
  private last = 0;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
  ) {}

  /** Read what was stored since the last refresh; false (and nothing lost) when NATS did not answer. */
  async refresh(): Promise<boolean> {
    try {
      const to = (await this.jsm.streams.info(STREAM_EVENTS)).state.last_seq;
      for await (const e of readStream(this.js, STREAM_EVENTS, this.last + 1, to)) {
        if (e.seq <= this.last) continue;
        this.add(e);
        this.last = e.seq;
      }
      return true;
    } catch {
      return false;
    }
  }

  job(id: string): JobFacts {
    let j = this.jobs.get(id);
    if (!j) {
      j = { accepted: false, rejected: false, completed: 0, cancelled: false, iterationsFailed: 0 };
      this.jobs.set(id, j);
    }
    return j;
  }

  private task(id: string, job: string): TaskFacts {
    let t = this.tasks.get(id);
    if (!t) {
      t = {
        job,
        created: 0,
        completed: 0,
        completions: [],
        failed: 0,
        deadLettered: 0,
        starts: [],
        runEnds: [],
        failures: [],
      };
      this.tasks.set(id, t);
    }
    return t;
  }

  /** Whether a job has ended (completed, cancelled or rejected). */
  ended(id: string): boolean {
    const j = this.jobs.get(id);
    return j !== undefined && (j.completed > 0 || j.cancelled || j.rejected);
  }

  /** The first time the orchestrator stored an event after `t` (ms), or undefined. */
  orchestratorAfter(t: number): number | undefined {
    return this.orchestratorTimes.find((at) => at > t);
  }

  /** Fold one stored message in (refresh does this for everything read). */
  add(e: StreamEntry): void {
    this.messages++;
    const type = e.type ?? "";
    const data = (e.body?.data ?? {}) as Record<string, unknown>;
    if (ORCHESTRATOR_TYPES.has(type)) this.orchestratorTimes.push(e.storedAt);
    if (e.subject === Subjects.system) this.systemEvents.push({ at: e.storedAt, type });
    if (type === "message.rejected") this.rejected.add(`${str(data.stream)}:${num(data.stream_seq)}`);
    const jobId = e.job_id ?? "";
    if (e.subject.startsWith("agents.job.") && jobId) {
      const j = this.job(jobId);
      switch (type) {
        case "job.accepted":
          j.accepted = true;
          break;
        case "job.submitted":
          // Catalogue v2: accepted on the submission itself (no job.accepted follows).
          if (data.accepted) j.accepted = true;
          break;
        case "job.rejected":
          j.rejected = true;
          this.rejectedSubmissions.add(num(data.submit_seq));
          j.endedAt ??= e.storedAt;
          break;
        case "job.completed":
          j.completed++;
          j.iterationsFailed = num(data.iterations_failed);
          j.endedAt ??= e.storedAt;
          break;
        case "job.cancelled":
          j.cancelled = true;
          j.endedAt ??= e.storedAt;
          break;
        default:
          break;
      }
    }
    const taskId = e.task_id ?? "";
    if (!e.subject.startsWith("agents.task.") || !taskId) return;
    const t = this.task(taskId, jobId);
    if (type === "task.created") t.created++;
    if (type === "task.completed") {
      t.completed++;
      t.completions.push({ seq: e.seq, attempt: num(data.attempt) });
    }
    if (type === "task.dead_lettered") t.deadLettered++;
    if (type === "task.failed") {
      t.failed++;
      t.failures.push(`${str(data.reason)}: ${str(data.error).slice(0, 200)}`);
    }
    if (type === "task.started")
      t.starts.push({
        at: e.storedAt,
        worker: str(data.worker_id),
        reclaimed: data.reclaimed === true,
        attempt: num(data.attempt),
      });
    if (RUN_ENDS.has(type)) t.runEnds.push(e.storedAt);
  }
}

/** The pid inside a worker id (`host-PID-hex`). */
export function pidOfWorker(workerId: string): number {
  const m = /-(\d+)-[0-9a-f]+$/.exec(workerId);
  return m ? Number(m[1]) : -1;
}

/** Tasks with a run started by a worker and not ended at time `t`, per worker pid. */
export function runningAt(ledger: Ledger, t: number): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const [id, task] of ledger.tasks) {
    const last = [...task.starts].reverse().find((s) => s.at <= t);
    if (!last) continue;
    if (task.runEnds.some((end) => end >= last.at && end <= t)) continue;
    const pid = pidOfWorker(last.worker);
    out.set(pid, [...(out.get(pid) ?? []), id]);
  }
  return out;
}
