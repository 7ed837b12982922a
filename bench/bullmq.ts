// The peer: the same number of no-op jobs through BullMQ on our own local Redis: Queue.add one by
// one, a Worker with the same concurrency as ours, and QueueEvents (completion events on) to know
// when every job completed. Latency is add → the processor starting the job.
import { setTimeout as sleep } from "node:timers/promises";
import { Queue, QueueEvents, Worker } from "bullmq";
import { Redis } from "ioredis";
import { withTimeout } from "./our-stack.ts";
import { processCpuMs, type RedisHandle } from "./servers.ts";
import { nowMs } from "./stats.ts";

export type BullPhaseOptions = {
  label: string;
  jobs: number;
  concurrency: number;
  /** Adds per second; undefined: all at once (at most `window` adds in flight). */
  ratePerSec?: number;
  window?: number;
};

export type BullPhaseResult = {
  jobs: number;
  durationMs: number;
  jobsPerSec: number;
  /** Queue.add called → processor started (ms), per job. */
  addToStartMs: number[];
  cpuMs: number;
  redisCpuMs: number;
  /** Commands sent to Redis per job by every client of this process (a Lua script call counts once). */
  commandsPerJob: number;
  /** The most frequent commands per job. */
  commands: Record<string, number>;
};

// Count every command any ioredis client of this process sends (BullMQ loads the same ioredis).
const sent: Record<string, number> = {};
const proto = Redis.prototype as unknown as {
  sendCommand: (c: { name: string }, ...r: unknown[]) => unknown;
};
const original = proto.sendCommand;
proto.sendCommand = function (this: unknown, c: { name: string }, ...r: unknown[]) {
  sent[c.name] = (sent[c.name] ?? 0) + 1;
  return original.call(this, c, ...r);
};

/** Run N no-op jobs through a fresh queue and measure them. */
export async function runBullPhase(redis: RedisHandle, o: BullPhaseOptions): Promise<BullPhaseResult> {
  const connection = { host: redis.host, port: redis.port, maxRetriesPerRequest: null };
  const name = `bench-${o.label}`;
  const queue = new Queue(name, { connection });
  const events = new QueueEvents(name, { connection });
  const addedAt = new Map<string, number>();
  const startedAt = new Map<string, number>();
  const completed = new Set<string>();
  let allDone: () => void = () => undefined;
  const done = new Promise<void>((r) => {
    allDone = r;
  });
  let lastCompletedAt = 0;
  events.on("completed", ({ jobId }) => {
    if (!addedAt.has(jobId) || completed.has(jobId)) return;
    completed.add(jobId);
    lastCompletedAt = nowMs();
    if (completed.size === o.jobs) allDone();
  });
  const worker = new Worker(
    name,
    async (job) => {
      if (job.id) startedAt.set(job.id, nowMs());
      return null;
    },
    { connection, concurrency: o.concurrency },
  );
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), worker.waitUntilReady()]);
    // QueueEvents reads its stream from "now": let its first blocking read begin before adding.
    await sleep(200);
    const sentBefore = { ...sent };
    const cpuBefore = process.cpuUsage();
    const redisCpuBefore = processCpuMs(redis.pid);
    const t0 = nowMs();
    const inflight = new Set<Promise<unknown>>();
    for (let i = 0; i < o.jobs; i++) {
      if (o.ratePerSec) {
        const wait = t0 + (i * 1000) / o.ratePerSec - nowMs();
        if (wait > 0) await sleep(wait);
      }
      const jobId = `${o.label}-${i}`;
      addedAt.set(jobId, nowMs());
      const p = queue.add("noop", { i }, { jobId }).finally(() => inflight.delete(p));
      inflight.add(p);
      if (inflight.size >= (o.window ?? 256)) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    await withTimeout(done, 60_000 + o.jobs * 50, `bullmq ${o.label}: ${completed.size}/${o.jobs} completed`);
    const durationMs = lastCompletedAt - t0;
    const cpu = process.cpuUsage(cpuBefore);
    const redisCpuMs = processCpuMs(redis.pid) - redisCpuBefore;
    const commands: Record<string, number> = {};
    for (const [k, v] of Object.entries(sent)) {
      const d = (v - (sentBefore[k] ?? 0)) / o.jobs;
      if (d > 0) commands[k] = d;
    }
    const addToStartMs: number[] = [];
    for (const [id, at] of addedAt) {
      const s = startedAt.get(id);
      if (s !== undefined) addToStartMs.push(s - at);
    }
    return {
      jobs: o.jobs,
      durationMs,
      jobsPerSec: o.jobs / (durationMs / 1000),
      addToStartMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      redisCpuMs,
      commandsPerJob: Object.values(commands).reduce((a, b) => a + b, 0),
      commands,
    };
  } finally {
    await worker.close();
    await events.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}
