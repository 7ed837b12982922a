// Memory per in-flight task: hold many long-running tasks in one worker (echo executor with a long
// delay, concurrency = the number of tasks) and compare the process's RSS and heap with the idle
// stack. The whole process is measured: the worker's handles and the orchestrator's job state.
import { setTimeout as sleep } from "node:timers/promises";
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Subjects } from "../src/core/events/index.ts";
import { jobIdFor, taskIdFor } from "../src/core/ids.ts";
import { startOurStack, withTimeout } from "./our-stack.ts";
import type { NatsServerHandle } from "./servers.ts";
import { nowMs } from "./stats.ts";

export type MemoryResult = {
  tasks: number;
  /** How long until every task had started (ms). */
  startAllMs: number;
  baseline: MemoryReading;
  /** With the first half of the tasks held. */
  halfway: MemoryReading;
  loaded: MemoryReading;
  /** (loaded − idle) ÷ tasks: includes what running any task at all costs once (compiled code, grown maps). */
  rssKbPerTask: number;
  heapKbPerTask: number;
  /** (loaded − halfway) ÷ the second half: what one more held task costs. */
  marginalRssKbPerTask: number;
  marginalHeapKbPerTask: number;
};

/** One settled reading of process.memoryUsage() (MB): RSS, used heap, and memory outside the heap. */
export type MemoryReading = {
  rssMb: number;
  heapMb: number;
  /** The heap V8 has reserved (used or not): RSS above this is outside V8's heap. */
  heapTotalMb: number;
  /** C++ objects bound to JS objects, including ArrayBuffers' backing stores. */
  externalMb: number;
  arrayBuffersMb: number;
  /** V8's heap spaces: the size each has reserved (MB), e.g. new_space, which grows under load. */
  spacesMb: Record<string, number>;
};

// A full collection before each reading, so garbage does not count as held memory.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

async function settledMemory(): Promise<MemoryReading> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 100));
  }
  const m = process.memoryUsage();
  const mb = (b: number) => b / 2 ** 20;
  return {
    rssMb: mb(m.rss),
    heapMb: mb(m.heapUsed),
    heapTotalMb: mb(m.heapTotal),
    externalMb: mb(m.external),
    arrayBuffersMb: mb(m.arrayBuffers),
    spacesMb: Object.fromEntries(getHeapSpaceStatistics().map((sp) => [sp.space_name, mb(sp.space_size)])),
  };
}

/** Start `tasks` long tasks (count-1 submissions) and measure what holding them costs. */
export async function measureMemory(
  nats: NatsServerHandle,
  o: {
    tasks: number;
    logLevel: string;
    projections: boolean;
    /** Called after each settled reading (idle, then loaded), e.g. to write a heap snapshot. */
    onSettled?: (at: "baseline" | "loaded") => void;
  },
): Promise<MemoryResult> {
  const s = await startOurStack(nats, {
    concurrency: o.tasks,
    echoDelayMs: 30 * 60_000,
    logLevel: o.logLevel,
    projections: o.projections,
  });
  try {
    const baseline = await settledMemory();
    o.onSettled?.("baseline");
    const keys = Array.from({ length: o.tasks }, (_, i) => `mem-${i}`);
    const generators = new Set(keys.map((k) => taskIdFor(jobIdFor(k), 1, "generator", 0)));
    const started = new Set<string>();
    let wanted = 0;
    let reached: () => void = () => undefined;
    s.tap(Subjects.tasks, (e) => {
      if (e.type !== "task.started" || !e.task_id || !generators.has(e.task_id)) return;
      started.add(e.task_id);
      if (started.size >= wanted) reached();
    });
    /** Submit `batch` and wait until all of them run (the worker holds them). */
    const hold = async (batch: string[]) => {
      wanted += batch.length;
      const all = new Promise<void>((r) => {
        reached = r;
      });
      const inflight = new Set<Promise<unknown>>();
      for (const key of batch) {
        const body = JSON.stringify({ spec: "Benchmark: hold a slot.", count: 1, idempotency_key: key });
        const p = s.js.publish(Subjects.submit, body, { msgID: key }).finally(() => inflight.delete(p));
        inflight.add(p);
        if (inflight.size >= 256) await Promise.race(inflight);
      }
      await Promise.all(inflight);
      if (started.size < wanted)
        await withTimeout(
          all,
          120_000 + batch.length * 100,
          `memory: ${started.size}/${wanted} tasks started`,
        );
      // The worker registers a task just after its task.started is acknowledged.
      for (let i = 0; i < 100 && s.worker.running.size < wanted; i++) await sleep(50);
      if (s.worker.running.size < wanted) {
        throw new Error(`memory: the worker holds ${s.worker.running.size} of ${wanted} tasks`);
      }
    };
    const t0 = nowMs();
    // Half first, then the rest: the second half's cost is the marginal one (code compiled, maps
    // and buffers grown by the first half are not counted again).
    const half = Math.floor(o.tasks / 2);
    await hold(keys.slice(0, half));
    const firstHalfMs = nowMs() - t0;
    const halfway = await settledMemory();
    const t1 = nowMs();
    await hold(keys.slice(half));
    // The time to start them all, less the halfway reading.
    const startAllMs = firstHalfMs + nowMs() - t1;
    const loaded = await settledMemory();
    o.onSettled?.("loaded");
    const rest = o.tasks - half;
    return {
      tasks: o.tasks,
      startAllMs,
      baseline,
      halfway,
      loaded,
      rssKbPerTask: ((loaded.rssMb - baseline.rssMb) * 1024) / o.tasks,
      heapKbPerTask: ((loaded.heapMb - baseline.heapMb) * 1024) / o.tasks,
      marginalRssKbPerTask: ((loaded.rssMb - halfway.rssMb) * 1024) / rest,
      marginalHeapKbPerTask: ((loaded.heapMb - halfway.heapMb) * 1024) / rest,
    };
  } finally {
    await s.stop();
  }
}
