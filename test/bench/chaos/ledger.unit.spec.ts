// The fault suite's accounting: what counts as lost, twice, stuck and failed, which tasks a killed
// worker was running, and how long each waited to run again. The entries are what the suite reads
// back from the AGENTS stream (bench/stream-read.ts), written out by hand.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { auditJobs } from "../../../bench/chaos/audit.ts";
import { Ledger, runningAt } from "../../../bench/chaos/ledger.ts";
import { redeliveries } from "../../../bench/chaos/recovery.ts";
import type { StreamEntry } from "../../../bench/stream-read.ts";

let seq = 0;
function entry(subject: string, type: string, at: number, data: Record<string, unknown> = {}): StreamEntry {
  const [, kind, id = ""] = subject.split(".");
  const job_id = kind === "job" ? id : id.split("-")[0];
  const task_id = kind === "task" ? id : undefined;
  seq++;
  return {
    seq,
    subject,
    bytes: 0,
    storedAt: at,
    type,
    job_id,
    ...(task_id ? { task_id } : {}),
    body: { type, data, job_id, ...(task_id ? { task_id } : {}) },
  };
}

/** A ledger over entries (no NATS: `add` is what refresh does with each message read). */
function ledgerOf(entries: StreamEntry[]): Ledger {
  const l = new Ledger(undefined as never, undefined as never);
  for (const e of entries) l.add(e);
  return l;
}

const started = (task: string, at: number, pid: number, reclaimed = false) =>
  entry(`agents.task.${task}`, "task.started", at, {
    worker_id: `host-${pid}-abc123`,
    reclaimed,
    attempt: 1,
  });

describe("the chaos ledger and audit", () => {
  it("given jobs in every state, then each is counted once: completed, lost, stuck, rejected, twice", () => {
    const l = ledgerOf([
      entry("agents.job.jA", "job.accepted", 1),
      entry("agents.task.jA-i1-g", "task.completed", 2),
      entry("agents.job.jA", "job.completed", 3, { iterations_failed: 0 }),
      entry("agents.job.jB", "job.accepted", 1),
      entry("agents.job.jD", "job.rejected", 1, { submit_seq: 9 }),
      entry("agents.job.jE", "job.accepted", 1),
      entry("agents.task.jE-i1-g", "task.completed", 2, { attempt: 1 }),
      entry("agents.task.jE-i1-g", "task.completed", 3, { attempt: 2 }),
      entry("agents.task.jE-i1-g", "task.failed", 3, { reason: "internal", error: "timeout" }),
      entry("agents.job.jE", "job.completed", 4, { iterations_failed: 0 }),
    ]);
    const a = auditJobs(l, ["jA", "jB", "jC", "jD", "jE"]);
    assert.deepEqual(
      { ...a, stuckSamples: a.stuckSamples.length, failureSamples: a.failureSamples },
      {
        submitted: 5,
        completed: 2,
        lost: 1, // jC: acknowledged, never became a job
        twice: 1, // jE's generator completed twice
        stuck: 1, // jB: accepted, never ended
        failedTasks: 1,
        deadLettered: 0,
        stuckSamples: 1,
        failureSamples: ["1× internal: timeout"],
        // Which completions, so a run that breaks it can be looked into.
        twiceSamples: [
          `task jE-i1-g: completed at seq ${seq - 3} attempt 1, seq ${seq - 2} attempt 2; started by `,
        ],
      },
    );
    assert.ok(l.rejectedSubmissions.has(9));
    assert.ok(l.ended("jD"), "a rejected job has ended");
  });

  it("given a worker killed mid-run, then its open tasks are running at the kill and wait until the next start elsewhere", () => {
    const l = ledgerOf([
      started("jK-i1-g", 1_000, 11),
      started("jL-i1-g", 1_100, 11),
      entry("agents.task.jL-i1-g", "task.completed", 1_500),
      started("jM-i1-g", 1_200, 22),
      // The kill is at 2 000; jK runs again on worker 22 at 9 000.
      started("jK-i1-g", 9_000, 22, true),
    ]);
    const running = runningAt(l, 2_000);
    assert.deepEqual(running.get(11), ["jK-i1-g"], "jL had ended before the kill");
    assert.deepEqual(running.get(22), ["jM-i1-g"]);
    const r = redeliveries(l, [{ pid: 11, at: 2_000, tasks: running.get(11) ?? [] }]);
    assert.deepEqual(r, { times: [7_000], finished: 0, missing: [] });
  });

  it("given a killed worker's task that never ran again, then it is missing; one whose outcome landed, finished", () => {
    const l = ledgerOf([
      started("jN-i1-g", 1_000, 33),
      started("jO-i1-g", 1_000, 33),
      entry("agents.task.jO-i1-g", "task.completed", 2_010),
    ]);
    const r = redeliveries(l, [{ pid: 33, at: 2_000, tasks: ["jN-i1-g", "jO-i1-g"] }]);
    assert.deepEqual(r, { times: [], finished: 1, missing: ["jN-i1-g"] });
  });

  it("given orchestrator events, then the first one after a moment is found", () => {
    const l = ledgerOf([
      entry("agents.task.jP-i1-g", "task.started", 5),
      entry("agents.task.jP-i1-g", "task.queued", 10),
      entry("agents.job.jP", "job.completed", 20, { iterations_failed: 0 }),
    ]);
    assert.equal(l.orchestratorAfter(0), 10, "task.started is a worker's event");
    assert.equal(l.orchestratorAfter(10), 20);
    assert.equal(l.orchestratorAfter(20), undefined);
  });
});
