import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Kvm } from "@nats-io/kv";
import { LEASES_BUCKET, Subjects } from "../../src/core/events/index.ts";
import {
  type ActorProcess,
  eventually,
  freePort,
  ofType,
  startStack,
  type TestStack,
} from "../support/index.ts";

const LEADING = "orchestrator state rebuilt; leading";
const STANDING_BY = "standing by: another orchestrator holds the lease";

describe("given two orchestrators on one stream", () => {
  let stack: TestStack;
  let a: ActorProcess;
  let b: ActorProcess;
  before(async () => {
    stack = await startStack();
    stack.startWorker();
  });
  after(() => stack.stop());

  async function runJob(key: string): Promise<void> {
    const jobId = await stack.submit({
      spec: `Write one line about ${key}.`,
      count: 2,
      idempotency_key: key,
    });
    const events = await stack.waitFor(
      Subjects.job(jobId),
      (es) => ofType(es, "job.completed").length > 0,
      30_000,
    );
    assert.equal(ofType(events, "job.completed")[0]?.event.data.iterations_passed, 2);
  }
  const consumerCreated = async () => (await stack.jsm.consumers.info("AGENTS", "orchestrator")).created;

  /** An orchestrator with its /metrics listener on a free port. */
  async function orchestrator(): Promise<{ p: ActorProcess; leading(): Promise<string | undefined> }> {
    const port = await freePort();
    const p = stack.startOrchestrator({ AGENTS_METRICS_PORT: String(port), LOG_LEVEL: "debug" });
    const leading = async () => {
      const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
      return /^agents_orchestrator_leading\{component="orchestrator"\} (\d)$/m.exec(text)?.[1];
    };
    return { p, leading };
  }
  let aMetrics: () => Promise<string | undefined>;
  let bMetrics: () => Promise<string | undefined>;

  it("when the second starts, then it stands by without touching the leader's consumer, and jobs complete", async () => {
    ({ p: a, leading: aMetrics } = await orchestrator());
    await eventually(() => a.logs().includes(LEADING), 60_000);
    const created = await consumerCreated();
    ({ p: b, leading: bMetrics } = await orchestrator());
    await eventually(() => b.logs().includes(STANDING_BY), 60_000);
    await runJob("standby");
    assert.equal(b.logs().includes(LEADING), false, "the standby never led");
    assert.equal(await consumerCreated(), created, "the standby did not recreate the consumer");
    // Prometheus sees which one leads.
    await eventually(async () => (await aMetrics().catch(() => undefined)) === "1", 30_000);
    assert.equal(await bMetrics(), "0");
  });

  it("when the leader is SIGKILLed, then the standby takes over and jobs complete", async () => {
    // The standby folds the stream up to the leader's ack floor while it waits.
    await eventually(() => b.logs().includes("standby folded ahead"), 30_000);
    await a.kill("SIGKILL");
    await runJob("takeover");
    assert.ok(b.logs().includes(LEADING), "the standby leads");
    // It had folded the stream up to the leader's ack floor while waiting: the takeover starts warm.
    const line =
      b
        .logs()
        .split("\n")
        .find((l) => l.includes(LEADING)) ?? "{}";
    const { from, floor } = JSON.parse(line) as { from: number; floor: number };
    assert.ok(from > 1 && from <= floor + 1, `the takeover folded from ${from} (floor ${floor})`);
    assert.equal(await bMetrics(), "1");
    // On one machine the standby sees the holder's process is gone and takes over at once; on
    // another it would wait out the lease ttl (a silent holder).
    assert.match(b.logs(), /lease taken over from a (silent holder|holder that no longer runs)/);
  });

  it("when the leader stops cleanly (SIGHUP), then it lets go of the lease and a new orchestrator leads at once", async () => {
    const c = stack.startOrchestrator();
    await eventually(() => c.logs().includes(STANDING_BY), 60_000);
    // SIGHUP (a closed terminal) stops as cleanly as SIGTERM or Ctrl-C.
    assert.equal(await b.kill("SIGHUP"), 0);
    const kv = await new Kvm(stack.nc).open(LEASES_BUCKET);
    const entry = await kv.get("orchestrator");
    assert.ok(
      entry?.operation === "DEL" || entry?.string().includes(`-${c.pid}-`),
      `released on shutdown (${entry?.operation} ${entry?.string()})`,
    );
    await eventually(() => c.logs().includes(LEADING), 60_000);
    assert.equal(c.logs().includes("taken over from a silent holder"), false, "handed over, not taken over");
    await runJob("handover");
    // Across three orchestrators, every task ran to completion exactly once.
    const completions = ofType(await stack.events(Subjects.tasks), "task.completed").map(
      (e) => e.event.task_id,
    );
    assert.equal(new Set(completions).size, completions.length);
    assert.equal(completions.length, 12, "three jobs × two iterations × (generator + critic)");
  });
});
