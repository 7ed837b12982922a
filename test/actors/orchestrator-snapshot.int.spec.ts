// A live stack restarted cold from a snapshot: the orchestrator writes state snapshots while it
// leads; a new orchestrator process reads the newest one, folds only the events after it, and the
// job in progress goes on exactly as after a full fold (no task twice, every iteration once); and an
// emergency stop whose events retention removed still holds after a cold start from the snapshot.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ORCHESTRATOR_SNAPSHOTS_BUCKET, Subjects } from "../../src/core/events/index.ts";
import {
  type ActorProcess,
  eventually,
  isAccepted,
  ofType,
  startStack,
  type TestStack,
  wavesOf,
} from "../support/index.ts";

/** The fields of the last JSON log line holding `msg`, or undefined. */
function lastLog(logs: string, msg: string): Record<string, unknown> | undefined {
  const lines = logs.split("\n").filter((l) => l.includes(`"msg":"${msg}"`));
  const last = lines.at(-1);
  return last ? (JSON.parse(last) as Record<string, unknown>) : undefined;
}

describe("given an orchestrator that writes a state snapshot after every event", () => {
  let stack: TestStack;
  /** The orchestrator leading at the end of a test (the next one goes on with it). */
  let leader: ActorProcess;
  const often = { AGENTS_SNAPSHOT_EVERY_EVENTS: "1", AGENTS_SNAPSHOT_CHECK_MS: "200" };
  before(async () => {
    stack = await startStack();
    stack.startWorker();
  });
  after(() => stack.stop());

  it("when it stops mid-job and a new one starts cold, then it starts from the snapshot, folds only the tail, and the job completes once", async () => {
    const first = stack.startOrchestrator(often);
    const done = await stack.submit({ spec: "Write one line about ledgers.", count: 2 });
    await stack.waitFor(Subjects.job(done), (es) => ofType(es, "job.completed").length > 0, 30_000);
    const jobId = await stack.submit({ spec: "Write one line about tides.\nFIXTURE: sleep 800", count: 4 });
    // Stop it once a snapshot covers part of the job in progress.
    await stack.waitFor(
      Subjects.tasks,
      (es) => ofType(es, "task.completed").some((e) => e.event.job_id === jobId),
      30_000,
    );
    const covered = (await stack.jsm.streams.info("AGENTS")).state.last_seq;
    await eventually(
      () => Number(lastLog(first.logs(), "orchestrator state snapshot written")?.seq ?? 0) >= covered,
      30_000,
    );
    await first.kill("SIGTERM");
    const info = await stack.jsm.streams.info(`OBJ_${ORCHESTRATOR_SNAPSHOTS_BUCKET}`);
    assert.ok(info.state.messages > 0, "the snapshot is in its bucket");

    const second = stack.startOrchestrator(often);
    await eventually(
      () => lastLog(second.logs(), "orchestrator state rebuilt; leading") !== undefined,
      30_000,
    );
    const rebuilt = lastLog(second.logs(), "orchestrator state rebuilt; leading") ?? {};
    const snapshotSeq = Number(rebuilt.snapshot_seq);
    assert.ok(snapshotSeq >= covered, `started from the snapshot at ${snapshotSeq} (covering ${covered})`);
    assert.ok(Number(rebuilt.from) === snapshotSeq + 1, `folded from ${String(rebuilt.from)}`);
    assert.ok(
      Number(rebuilt.events) < snapshotSeq,
      `folded ${String(rebuilt.events)} events, not the whole stream`,
    );

    const jobEvents = await stack.waitFor(
      Subjects.job(jobId),
      (es) => ofType(es, "job.completed").length > 0,
      60_000,
    );
    assert.equal(ofType(jobEvents, "job.completed").length, 1, "completed once");
    assert.equal(ofType(jobEvents, "job.completed")[0]?.event.data.iterations_passed, 4);
    const ended = ofType(jobEvents, "job.iteration_ended").map((e) => e.event.data.iteration);
    assert.deepEqual([...ended].sort(), [1, 2, 3, 4], "each iteration ended once");
    const all = (await stack.events(Subjects.tasks)).filter((e) => e.event.job_id === jobId);
    const created = ofType(all, "task.created").map((e) => e.event.task_id ?? "");
    assert.equal(new Set(created).size, created.length, `task ids unique: ${created.join(", ")}`);
    assert.equal(created.length, 8, "four generators and four critics");
    assert.doesNotMatch(second.logs(), /event not applied|snapshot not used|snapshot not read/);
    leader = second;
  });

  it("when a stop is in force and retention removed every event up to the snapshot, then a cold start still knows the stop: a job waits for the resume", async () => {
    stack.nc.publish(Subjects.controlStop, JSON.stringify({ reason: "snapshot test" }));
    const system = await stack.waitFor(
      Subjects.system,
      (es) => ofType(es, "system.stopped").length > 0,
      30_000,
    );
    const stopSeq = ofType(system, "system.stopped")[0]?.seq ?? 0;
    await eventually(
      () => Number(lastLog(leader.logs(), "orchestrator state snapshot written")?.seq ?? 0) >= stopSeq,
      30_000,
    );
    await leader.kill("SIGTERM");
    const snapshotSeq = Number(lastLog(leader.logs(), "orchestrator state snapshot written")?.seq);
    // What retention does to old events: everything the snapshot covers is gone, the stop included.
    await stack.jsm.streams.purge("AGENTS", { seq: snapshotSeq + 1 });
    const first = (await stack.jsm.streams.info("AGENTS")).state.first_seq;
    assert.ok(first > stopSeq, `the stream starts at ${first}, after the stop at ${stopSeq}`);

    const third = stack.startOrchestrator(often);
    await eventually(
      () => lastLog(third.logs(), "orchestrator state rebuilt; leading") !== undefined,
      30_000,
    );
    const rebuilt = lastLog(third.logs(), "orchestrator state rebuilt; leading") ?? {};
    assert.equal(Number(rebuilt.snapshot_seq), snapshotSeq, "started from the snapshot");

    const jobId = await stack.submit({ spec: "Write one line about locks.", count: 1 });
    await stack.waitFor(Subjects.job(jobId), (es) => isAccepted(es), 30_000);
    // A resume is recorded only while stopped: a fold that lost the stop would record none.
    stack.nc.publish(Subjects.controlResume, JSON.stringify({ reason: "snapshot test over" }));
    const resumed = await stack.waitFor(
      Subjects.system,
      (es) => ofType(es, "system.resumed").length > 0,
      30_000,
    );
    const resumeSeq = ofType(resumed, "system.resumed")[0]?.seq ?? 0;
    const jobEvents = await stack.waitFor(
      Subjects.job(jobId),
      (es) => ofType(es, "job.completed").length > 0,
      60_000,
    );
    const wave = wavesOf(jobEvents)[0]?.seq ?? 0;
    assert.ok(wave > resumeSeq, `the job's wave (seq ${wave}) waited for the resume (seq ${resumeSeq})`);
    assert.doesNotMatch(
      third.logs(),
      /event not applied|snapshot not used|snapshot not read|no snapshot covers/,
    );
    leader = third;
  });
});
