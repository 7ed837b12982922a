// Our lifecycle under load: N submissions (count 1 each) run to job.completed through the real
// orchestrator and worker. Saturated (all submitted at once) for throughput, or paced at a steady
// rate for dispatch latency (submit → the generator's task.started stored in the stream).
import { setTimeout as sleep } from "node:timers/promises";
import { OUTPUTS_BUCKET, STREAM_EVENTS, STREAM_WORK, Subjects } from "../src/core/events/index.ts";
import { jobIdFor, taskIdFor } from "../src/core/ids.ts";
import { type Counts, diffCounts, type NatsCounter } from "./nats-counter.ts";
import { ACTORS, type Actor, type OurStack, withTimeout } from "./our-stack.ts";
import type { BenchProjections } from "./projections.ts";
import { processCpuMs } from "./servers.ts";
import { nowMs } from "./stats.ts";
import { readStream } from "./stream-read.ts";

export type PhaseOptions = {
  /** Unique per phase (job ids derive from it). */
  label: string;
  /** Submissions, each one generator task (plus its critic task). */
  tasks: number;
  /** Submissions per second; undefined: all at once (at most `window` publishes in flight). */
  ratePerSec?: number;
  window?: number;
};

/** Messages written to each stream during the phase. */
export type Written = { events: number; work: number; objects: number; eventBytes: number };

export type PhaseResult = {
  tasks: number;
  durationMs: number;
  /** Submissions run to job.completed per second (generator task lifecycles per second). */
  lifecyclesPerSec: number;
  /** Tasks of any type (generator + critic) completed per second. */
  tasksPerSec: number;
  /** AGENTS events stored per second. */
  eventsPerSec: number;
  totalTasks: number;
  written: Written;
  /** Events of each type written during the phase. */
  byType: Record<string, number>;
  /** Submit → generator task.started stored (ms), per submission. */
  dispatchMs: number[];
  /**
   * The dispatch in two, per submission (ms): submit → the generator's task.created stored (the
   * orchestrator's part), and task.created stored → task.started stored (the work item's trip and
   * the worker's claim).
   */
  dispatchSplit: { toCreatedMs: number[]; toStartedMs: number[] };
  /** Submit → job.completed seen (ms), per submission. */
  endToEndMs: number[];
  /** Outgoing messages per actor connection during the phase. */
  counts: Partial<Record<Actor, Counts>>;
  /** CPU of this process (orchestrator, worker, projections, submitter; plus a worker process's, when apart) and of nats-server (ms). */
  cpuMs: number;
  natsCpuMs: number;
  /** After the last job completed, until the projections had applied everything (ms). */
  projectionsCatchUpMs: number | undefined;
};

/**
 * What a phase needs of a running system: the server, the submitter's clients, an event tap, and
 * whichever actors' message counters and projections run in this process (the in-process stack has
 * them all; actors in their own processes have none here).
 */
export type PhaseStack = Pick<OurStack, "nats" | "js" | "jsm" | "tap"> & {
  counters: Partial<Record<Actor, NatsCounter | undefined>>;
  projections?: BenchProjections | undefined;
  /** CPU used so far by the stack's actors in other processes (ms), counted into cpuMs. */
  cpuOfOthers?: () => number;
};

const SUBMIT_SPEC = "Benchmark: answer with one line (offline echo executor).";

async function lastSeqs(s: PhaseStack) {
  const seq = async (name: string) => (await s.jsm.streams.info(name)).state.last_seq;
  return {
    events: await seq(STREAM_EVENTS),
    work: await seq(STREAM_WORK),
    objects: await seq(`OBJ_${OUTPUTS_BUCKET}`),
  };
}

/** Run one phase and measure it from the streams afterwards. */
export async function runPhase(s: PhaseStack, o: PhaseOptions): Promise<PhaseResult> {
  const submittedAt = new Map<string, number>();
  const completedAt = new Map<string, number>();
  const keys = Array.from({ length: o.tasks }, (_, i) => `${o.label}-${i}`);
  const jobIds = new Set(keys.map(jobIdFor));
  let allDone: () => void = () => undefined;
  const done = new Promise<void>((r) => {
    allDone = r;
  });
  const sub = s.tap(Subjects.jobs, (e) => {
    if (e.type !== "job.completed" || !e.job_id || !jobIds.has(e.job_id)) return;
    completedAt.set(e.job_id, e.at);
    if (completedAt.size === jobIds.size) allDone();
  });
  const before = await lastSeqs(s);
  const countsBefore = snapshots(s);
  const cpuBefore = process.cpuUsage();
  const othersCpuBefore = s.cpuOfOthers?.() ?? 0;
  const natsCpuBefore = processCpuMs(s.nats.pid);
  const t0 = nowMs();

  const inflight = new Set<Promise<unknown>>();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (o.ratePerSec) {
      const due = t0 + (i * 1000) / o.ratePerSec;
      const wait = due - nowMs();
      if (wait > 0) await sleep(wait);
    }
    const body = JSON.stringify({ spec: SUBMIT_SPEC, count: 1, idempotency_key: key });
    submittedAt.set(jobIdFor(key), nowMs());
    const p = s.js.publish(Subjects.submit, body, { msgID: key }).finally(() => inflight.delete(p));
    inflight.add(p);
    if (inflight.size >= (o.window ?? 256)) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  const budgetMs = 60_000 + o.tasks * 200;
  await withTimeout(done, budgetMs, `${o.label}: ${o.tasks} jobs (${completedAt.size} completed)`);
  const t1 = Math.max(...completedAt.values());
  sub.unsubscribe();
  const caughtUp = s.projections?.catchUp(120_000).then(() => Math.max(0, nowMs() - t1));
  // The orchestrator still consumes the echoes of its own last events: count that work too.
  await orchestratorDrained(s);
  const cpu = process.cpuUsage(cpuBefore);
  const othersCpuMs = (s.cpuOfOthers?.() ?? 0) - othersCpuBefore;
  const natsCpuMs = processCpuMs(s.nats.pid) - natsCpuBefore;
  const countsAfter = snapshots(s);
  const after = await lastSeqs(s);
  const projectionsCatchUpMs = await caughtUp;

  const byType: Record<string, number> = {};
  const startedAt = new Map<string, number>();
  const createdAt = new Map<string, number>();
  const generatorOf = new Map([...jobIds].map((j) => [taskIdFor(j, 1, "generator", 0), j]));
  let eventBytes = 0;
  for await (const m of readStream(s.js, STREAM_EVENTS, before.events + 1, after.events)) {
    eventBytes += m.bytes;
    const type = m.subject === Subjects.submit ? "(submission)" : (m.type ?? "(invalid)");
    byType[type] = (byType[type] ?? 0) + 1;
    const job = m.task_id ? generatorOf.get(m.task_id) : undefined;
    if (type === "task.started" && job && !startedAt.has(job)) startedAt.set(job, m.storedAt);
    if (type === "task.created" && job && !createdAt.has(job)) createdAt.set(job, m.storedAt);
  }
  const durationMs = t1 - t0;
  const events = after.events - before.events;
  const totalTasks = byType["task.created"] ?? 0;
  const completedTasks = byType["task.completed"] ?? 0;
  const dispatchMs: number[] = [];
  const dispatchSplit = { toCreatedMs: [] as number[], toStartedMs: [] as number[] };
  const endToEndMs: number[] = [];
  for (const [job, at] of submittedAt) {
    const started = startedAt.get(job);
    const created = createdAt.get(job);
    if (started !== undefined) dispatchMs.push(started - at);
    if (created !== undefined) dispatchSplit.toCreatedMs.push(created - at);
    if (created !== undefined && started !== undefined) dispatchSplit.toStartedMs.push(started - created);
    const completed = completedAt.get(job);
    if (completed !== undefined) endToEndMs.push(completed - at);
  }
  const counts: Partial<Record<Actor, Counts>> = {};
  for (const a of ACTORS) {
    const b = countsBefore[a];
    const c = countsAfter[a];
    if (b && c) counts[a] = diffCounts(c, b);
  }
  return {
    tasks: o.tasks,
    durationMs,
    lifecyclesPerSec: o.tasks / (durationMs / 1000),
    tasksPerSec: completedTasks / (durationMs / 1000),
    eventsPerSec: events / (durationMs / 1000),
    totalTasks,
    written: {
      events,
      work: after.work - before.work,
      objects: after.objects - before.objects,
      eventBytes: events > 0 ? eventBytes / events : 0,
    },
    byType,
    dispatchMs,
    dispatchSplit,
    endToEndMs,
    counts,
    cpuMs: (cpu.user + cpu.system) / 1000 + othersCpuMs,
    natsCpuMs,
    projectionsCatchUpMs,
  };
}

/** Wait (up to 30 s) until the orchestrator's consumer has nothing pending or unacknowledged. */
async function orchestratorDrained(s: PhaseStack): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const info = await s.jsm.consumers.info(STREAM_EVENTS, "orchestrator");
    if (info.num_pending === 0 && info.num_ack_pending === 0) return;
    await sleep(100);
  }
}

function snapshots(s: PhaseStack): Partial<Record<Actor, Counts>> {
  const out: Partial<Record<Actor, Counts>> = {};
  for (const a of ACTORS) {
    const c = s.counters[a];
    if (c) out[a] = c.snapshot();
  }
  return out;
}
