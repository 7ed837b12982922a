// A deterministic workload for projection tests and the replay benchmark: jobs whose iterations
// run interleaved, with retries, validation failures, interruptions, reclaims, handoffs, critiques,
// revisions, a dead letter, a budget stop and a cancellation, plus commands and junk on the stream.
import { type AgentEventType, Subjects } from "../../src/core/events/index.ts";
import { cutShort, iteration } from "./workload-iteration.ts";
import {
  buildMessage,
  Lane,
  MODELS,
  prng,
  type Step,
  type TaskRun,
  type WorkloadMessage,
} from "./workload-script.ts";

export type { WorkloadMessage };

export type WorkloadOptions = {
  /** Jobs to run. Default 6. */
  jobs?: number;
  /** Iterations per job. Default 12. */
  iterations?: number;
  /** Jobs in flight at once. Default 3. */
  concurrency?: number;
  seed?: number;
  /** Prefix of ids, so two workloads can share a stream. Default "w". */
  prefix?: string;
};

/** The workload's messages in stream order (lazily, so a benchmark can take millions). */
export function* workload(o: WorkloadOptions = {}): Generator<WorkloadMessage> {
  const rnd = prng(o.seed ?? 42);
  const prefix = o.prefix ?? "w";
  const jobs = o.jobs ?? 6;
  let n = 0;
  const build = (s: Step): WorkloadMessage => {
    n += 1;
    return buildMessage(s, n, prefix);
  };
  for (const s of openingSteps(prefix)) yield build(s);
  const active: JobFlow[] = [];
  let started = 0;
  while (started < jobs || active.length > 0) {
    while (active.length < (o.concurrency ?? 3) && started < jobs) {
      active.push(jobFlow(`${prefix}j${started}`, started, o.iterations ?? 12, rnd));
      started += 1;
    }
    const i = Math.floor(rnd() * active.length);
    const step = active[i]?.next(rnd);
    if (!step) {
      active.splice(i, 1);
      continue;
    }
    yield build(step);
    if (rnd() < 0.01) yield build(sprinkle(n));
  }
}

/** The whole workload as a list. */
export function generateWorkload(o: WorkloadOptions = {}): WorkloadMessage[] {
  return [...workload(o)];
}

type JobFlow = { next(rnd: () => number): Step | undefined };

// Head first, then the iteration lanes in random interleaving, then the tail.
function jobFlow(jobId: string, index: number, iterations: number, rnd: () => number): JobFlow {
  const head = new Lane(jobId);
  const tail = new Lane(jobId);
  const cancelled = index % 6 === 2;
  const budget = index % 6 === 1;
  const spec = `Write a 600-word post about topic ${index % 4}, unique angle, three takeaways.`;
  const submission = {
    spec,
    count: iterations,
    model: MODELS[index % 3],
    ...(budget ? { budget_usd: 2 } : {}),
  };
  head.job("job.submitted", { submission, source: "nats", submit_seq: index + 1 });
  const accepted = { mode: "fixed", wave_size: 5, max_iterations: iterations } as const;
  head.job("job.accepted", {
    ...accepted,
    max_attempts: 3,
    max_continuations: 2,
    max_revisions: 2,
    model: "m",
  });
  for (let w = 0; w * 5 < iterations; w++) {
    const its = Array.from({ length: Math.min(5, iterations - w * 5) }, (_, k) => w * 5 + k + 1);
    head.job("job.wave_planned", { wave: w + 1, iterations: its });
  }
  const live: TaskRun[] = [];
  const lanes = Array.from({ length: iterations }, (_, k) => {
    const lane = new Lane(jobId);
    if (cancelled && k >= 2) live.push(...cutShort(lane, k + 1, rnd));
    else iteration(lane, k + 1, index, rnd);
    return lane;
  });
  if (cancelled) {
    for (const t of live) {
      t.lane = tail;
      t.cancel("cancelled by the user");
    }
    for (let k = 3; k <= iterations; k++)
      tail.job("job.iteration_ended", { iteration: k, outcome: "cancelled" });
    tail.job("job.cancelled", { reason: "cancelled by the user" });
  } else {
    if (budget) tail.job("job.budget_exceeded", { budget_usd: 2, spent_usd: 2.1 });
    const reason = budget ? "budget" : "all_done";
    tail.job("job.completed", {
      iterations_passed: iterations,
      iterations_exhausted: 0,
      iterations_failed: 0,
      cost_usd: 1,
      reason,
    });
  }
  const order = [[head.steps], lanes.map((l) => l.steps), [tail.steps]];
  const at = order.map((group) => group.map(() => 0));
  return {
    next(r) {
      for (const [g, group] of order.entries()) {
        const open = group.flatMap((steps, i) => ((at[g]?.[i] ?? 0) < steps.length ? [i] : []));
        if (open.length === 0) continue;
        const i = open[Math.floor(r() * open.length)] ?? 0;
        const pos = at[g]?.[i] ?? 0;
        (at[g] as number[])[i] = pos + 1;
        return group[i]?.[pos];
      }
      return undefined;
    },
  };
}

// The opening: a raw submission, a refused one, a rejected message and junk on an event subject.
function openingSteps(prefix: string): Step[] {
  const bad = new Lane(`${prefix}jbad`);
  bad.job("job.rejected", {
    reasons: [{ path: "count", message: "must be ≥ 1" }],
    excerpt: "{}",
    submit_seq: 1,
  });
  return [
    { kind: "json", subject: Subjects.submit, payload: { spec: "hello", count: 0 } },
    ...bad.steps,
    sprinkle(4),
    { kind: "garbage", subject: Subjects.system, text: "not json at all" },
    { kind: "garbage", subject: Subjects.job(`${prefix}jx`), text: '{"type":"job.unknown"}' },
  ];
}

// System events and commands scattered through the stream.
function sprinkle(n: number): Step {
  const system = (type: AgentEventType, data: unknown): Step => ({
    kind: "event",
    subject: Subjects.system,
    type,
    data,
  });
  switch (n % 6) {
    case 0:
      return { kind: "json", subject: Subjects.controlStop, payload: { reason: "drill" } };
    case 1:
      return system("system.stopped", { reason: "drill" });
    case 2:
      return system("queue.paused", { queue: "heavy", reason: "maintenance" });
    case 3:
      return system("queue.resumed", { queue: "heavy" });
    case 4: {
      const data = { subject: Subjects.submit, stream: "AGENTS", stream_seq: n, consumer: "orchestrator" };
      return system("message.rejected", { ...data, reason: "count: must be ≥ 1", excerpt: "{}" });
    }
    default:
      return system("system.resumed", { reason: "drill over" });
  }
}
