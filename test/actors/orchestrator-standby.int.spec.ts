import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Kvm } from "@nats-io/kv";
import { LEASES_BUCKET, Subjects } from "../../src/events/index.ts";
import { type ActorProcess, eventually, ofType, startStack, type TestStack } from "../support/index.ts";

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

  it("when the second starts, then it stands by without touching the leader's consumer, and jobs complete", async () => {
    a = stack.startOrchestrator();
    await eventually(() => a.logs().includes(LEADING), 20_000);
    const created = await consumerCreated();
    b = stack.startOrchestrator();
    await eventually(() => b.logs().includes(STANDING_BY), 20_000);
    await runJob("standby");
    assert.equal(b.logs().includes(LEADING), false, "the standby never led");
    assert.equal(await consumerCreated(), created, "the standby did not recreate the consumer");
  });

  it("when the leader is SIGKILLed, then the standby takes over after the lease ttl and jobs complete", async () => {
    await a.kill("SIGKILL");
    await runJob("takeover");
    assert.ok(b.logs().includes(LEADING), "the standby leads");
    assert.ok(b.logs().includes("lease taken over from a silent holder"));
  });

  it("when the leader stops cleanly, then it lets go of the lease and a new orchestrator leads at once", async () => {
    const c = stack.startOrchestrator();
    await eventually(() => c.logs().includes(STANDING_BY), 20_000);
    assert.equal(await b.kill("SIGTERM"), 0);
    const kv = await new Kvm(stack.nc).open(LEASES_BUCKET);
    const entry = await kv.get("orchestrator");
    assert.ok(
      entry?.operation === "DEL" || entry?.string().includes(`-${c.pid}-`),
      `released on shutdown (${entry?.operation} ${entry?.string()})`,
    );
    await eventually(() => c.logs().includes(LEADING), 20_000);
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
