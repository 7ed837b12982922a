// Poison on every subject while jobs run: submissions, every control verb (and an unknown one),
// the subjects of running tasks and jobs, and the work lanes. Each message must be rejected and
// recorded, and nothing may change because of one: workers keep working (and restarted ones too),
// a task with garbage on its subject still retries and can still be cancelled, and garbage on
// agents.control.resume does not lift a real emergency stop.
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { STREAM_EVENTS, Subjects } from "../../../src/core/events/index.ts";
import { auditJobs, reportJobs, waitForJobs } from "../audit.ts";
import { POISON } from "../poison-payloads.ts";
import { say } from "../say.ts";
import { onStack, type Scenario, sized } from "../scenario.ts";
import type { ChaosStack } from "../stack.ts";

const NAME = "poison";
const SIZES = {
  full: { rounds: 3, fresh: 10, stoppedMs: 8_000, settleMs: 150_000 },
  quick: { rounds: 1, fresh: 3, stoppedMs: 5_000, settleMs: 120_000 },
};
const RECORD_TIMEOUT_MS = 60_000;
const FRESH_TIMEOUT_MS = 60_000;

/** Wait until `check` holds (refreshing the ledger), or the timeout passes; whether it held. */
async function until(stack: ChaosStack, check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await stack.ledger.refresh();
    if (check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(500);
  }
}

const generator = (job: string) => `${job}-i1-g`;

export const poison: Scenario = {
  name: NAME,
  what: "garbage on every subject (submit, control, running tasks and jobs, work lanes) while jobs run",
  run: (o) =>
    onStack(NAME, o, {}, async (stack, r) => {
      const size = sized(o, SIZES);
      await Promise.all([stack.start("orchestrator"), stack.start("worker"), stack.start("worker")]);
      const s = stack.submitter;
      const healthy = await s.burst(4, (i) => ({ spec: `Poison healthy ${i}.\nCHAOS: sleep 3000 4000` }));
      const failing = await s.burst(2, (i) => ({
        spec: `Poison fail-once ${i}.\nCHAOS: sleep 3000 3000\nCHAOS: fail-once`,
      }));
      const [hang] = await s.burst(1, () => ({ spec: "Poison hang: to be cancelled.\nCHAOS: hang" }));
      if (!hang) throw new Error("the hanging job was not acknowledged");
      const running = [healthy[0], failing[0], hang].filter((j): j is string => j !== undefined);
      const started = await until(
        stack,
        () => running.every((j) => (stack.ledger.tasks.get(generator(j))?.starts.length ?? 0) > 0),
        60_000,
      );
      if (!started) throw new Error("the first jobs' tasks did not start within 60 s");

      // Resume before stop: the last garbage on a stop/resume subject is a stop's, which a worker
      // started afterwards must not take for a real one.
      const subjects = [
        Subjects.submit,
        Subjects.controlResume,
        Subjects.controlStop,
        Subjects.controlCancel,
        Subjects.controlPause,
        Subjects.controlUnpause,
        Subjects.controlRetry,
        "agents.control.bogus",
        ...running.map((j) => Subjects.task(generator(j))),
        Subjects.task(`jpoison${randomBytes(4).toString("hex")}-i1-g`),
        ...running.slice(0, 2).map((j) => Subjects.job(j)),
        Subjects.job(`jpoison${randomBytes(4).toString("hex")}`),
        // The lanes of the route the suite's workers host (every model routes to the command
        // executor): garbage on a lane no worker serves is never read, so never rejected.
        Subjects.work("command", "standard", "normal"),
        Subjects.work("command", "heavy", "high"),
        Subjects.work("command", "critic", "low"),
      ];
      const sent: Array<{ subject: string; stream: string; seq: number }> = [];
      let refused = 0;
      for (let round = 1; round <= size.rounds; round++) {
        for (const subject of subjects)
          for (const payload of POISON) {
            // A stream refuses what is over its message size: never stored, nothing to reject.
            const ack = await stack.js.publish(subject, payload).catch(() => undefined);
            if (ack) sent.push({ subject, stream: ack.stream, seq: ack.seq });
            else refused++;
          }
        say(
          NAME,
          `round ${round}/${size.rounds}: ${sent.length} poison messages on ${subjects.length} subjects`,
        );
      }
      // A cancel after garbage on the task's subject must still take effect.
      await stack.js.publish(
        Subjects.controlCancel,
        JSON.stringify({ job_id: hang, reason: "chaos: cancel" }),
      );
      // Workers started after the garbage must not think the system is stopped.
      say(NAME, "restarting the workers; submitting fresh jobs");
      await Promise.all(stack.alive("worker").map((w) => w.kill("SIGTERM")));
      await Promise.all([stack.start("worker"), stack.start("worker")]);
      const fresh = await s.burst(size.fresh, (i) => ({ spec: `Poison fresh ${i}.\nCHAOS: sleep 200 500` }));
      await waitForJobs(stack.ledger, fresh, FRESH_TIMEOUT_MS, NAME);
      r.zero(
        `fresh jobs not ended ${FRESH_TIMEOUT_MS / 1000} s after the poison`,
        fresh.filter((j) => !stack.ledger.ended(j)).length,
      );

      // A real emergency stop, then garbage on resume: still stopped.
      await stack.js.publish(Subjects.controlStop, JSON.stringify({ reason: "chaos: real emergency stop" }));
      const stopped = await until(
        stack,
        () => stack.ledger.systemEvents.some((e) => e.type === "system.stopped"),
        30_000,
      );
      if (!stopped) r.note("the real stop was not recorded within 30 s");
      for (const payload of POISON.slice(0, 3)) await stack.js.publish(Subjects.controlResume, payload);
      const garbageAt = Date.now();
      const whileStopped = await s.burst(3, (i) => ({
        spec: `Poison while stopped ${i}.\nCHAOS: sleep 100 300`,
      }));
      await sleep(size.stoppedMs);
      await stack.ledger.refresh();
      const startedWhileStopped = [...stack.ledger.tasks.values()].reduce(
        (n, t) => n + t.starts.filter((st) => st.at > garbageAt + 1_000).length,
        0,
      );
      r.zero("tasks started while stopped (after garbage resume)", startedWhileStopped);
      await stack.js.publish(Subjects.controlResume, JSON.stringify({ reason: "chaos: resume" }));

      const all = [...healthy, ...failing, hang, ...fresh, ...whileStopped];
      say(NAME, "waiting for every job to end");
      await waitForJobs(stack.ledger, all, size.settleMs, NAME);
      const recorded = (p: (typeof sent)[number]) =>
        p.subject === Subjects.submit && p.stream === STREAM_EVENTS
          ? stack.ledger.rejectedSubmissions.has(p.seq)
          : stack.ledger.rejected.has(`${p.stream}:${p.seq}`);
      // Checked at the end: a lane's garbage is only seen by a worker that takes work from it.
      await until(stack, () => sent.every(recorded), RECORD_TIMEOUT_MS);
      const unrecorded = sent.filter((p) => !recorded(p));
      r.info("poison messages stored", sent.length);
      r.info("poison refused by the server (too big)", refused);
      r.zero("poison not rejected and recorded", unrecorded.length);
      const bySubject = new Map<string, number>();
      for (const p of unrecorded) bySubject.set(p.subject, (bySubject.get(p.subject) ?? 0) + 1);
      for (const [subject, n] of bySubject) r.note(`${n} not recorded on ${subject}`);
      const a = auditJobs(stack.ledger, all);
      reportJobs(r, a);
      r.zero("cancelled job not ended", stack.ledger.ended(hang) ? 0 : 1);
      const retried = failing.filter(
        (j) => (stack.ledger.tasks.get(generator(j))?.completed ?? 0) > 0,
      ).length;
      r.zero("fail-once tasks never retried to completion", failing.length - retried);
    }),
};
