// Memory per in-flight task: hold many long-running tasks in one worker (echo executor with a long
// delay, concurrency = the number of tasks) and compare the process's RSS and heap with the idle
// stack. The whole process is measured: the worker's handles and the orchestrator's job state.
import { setTimeout as sleep } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
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
  baseline: { rssMb: number; heapMb: number };
  loaded: { rssMb: number; heapMb: number };
  rssKbPerTask: number;
  heapKbPerTask: number;
};

// A full collection before each reading, so garbage does not count as held memory.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

async function settledMemory(): Promise<{ rssMb: number; heapMb: number }> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 100));
  }
  const m = process.memoryUsage();
  return { rssMb: m.rss / 2 ** 20, heapMb: m.heapUsed / 2 ** 20 };
}

/** Start `tasks` long tasks (count-1 submissions) and measure what holding them costs. */
export async function measureMemory(
  nats: NatsServerHandle,
  o: { tasks: number; logLevel: string; projections: boolean },
): Promise<MemoryResult> {
  const s = await startOurStack(nats, {
    concurrency: o.tasks,
    echoDelayMs: 30 * 60_000,
    logLevel: o.logLevel,
    projections: o.projections,
  });
  try {
    const baseline = await settledMemory();
    const keys = Array.from({ length: o.tasks }, (_, i) => `mem-${i}`);
    const generators = new Set(keys.map((k) => taskIdFor(jobIdFor(k), 1, "generator", 0)));
    const started = new Set<string>();
    let allStarted: () => void = () => undefined;
    const done = new Promise<void>((r) => {
      allStarted = r;
    });
    s.tap(Subjects.tasks, (e) => {
      if (e.type !== "task.started" || !e.task_id || !generators.has(e.task_id)) return;
      started.add(e.task_id);
      if (started.size === generators.size) allStarted();
    });
    const t0 = nowMs();
    const inflight = new Set<Promise<unknown>>();
    for (const key of keys) {
      const body = JSON.stringify({ spec: "Benchmark: hold a slot.", count: 1, idempotency_key: key });
      const p = s.js.publish(Subjects.submit, body, { msgID: key }).finally(() => inflight.delete(p));
      inflight.add(p);
      if (inflight.size >= 256) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    await withTimeout(done, 120_000 + o.tasks * 100, `memory: ${started.size}/${o.tasks} tasks started`);
    const startAllMs = nowMs() - t0;
    // The worker registers a task just after its task.started is acknowledged.
    for (let i = 0; i < 100 && s.worker.running.size < o.tasks; i++) await sleep(50);
    if (s.worker.running.size < o.tasks) {
      throw new Error(`memory: the worker holds ${s.worker.running.size} of ${o.tasks} tasks`);
    }
    const loaded = await settledMemory();
    return {
      tasks: o.tasks,
      startAllMs,
      baseline,
      loaded,
      rssKbPerTask: ((loaded.rssMb - baseline.rssMb) * 1024) / o.tasks,
      heapKbPerTask: ((loaded.heapMb - baseline.heapMb) * 1024) / o.tasks,
    };
  } finally {
    await s.stop();
  }
}
