// Must-hold figures that break on main today because the fix for what they catch has not landed
// yet. Such a figure is still measured and printed, marked "KNOWN BROKEN (<why>)", but it does not
// fail the run, so CI gates everything else meanwhile. When the fix lands, delete its entries: the
// figures are must-hold again (a known figure that held says so, as a reminder).

export type KnownBroken = {
  scenario: string;
  /** The figure's name as the scenario reports it. */
  figure: string;
  /** What breaks it, e.g. "issue 10 finding 2". */
  why: string;
};

const F1 = "issue 10 finding 1: workers act on garbage stop/resume";
const F2 = "issue 10 finding 2: garbage on a task's subject wedges it";
const F3 = "issue 10 finding 3: a failed dispatch is never retried";
const F5 = "issue 10 finding 5: an output save is not retried through a NATS outage";
const PARAMS =
  "found by this suite, not yet fixed: a validator's params are checked only when a task runs it, so a submission naming regex without a pattern is accepted and every attempt then fails";
const TWICE =
  "found by this suite with the fixes for findings 1, 2, 3, 5 and 12 applied: after nats-server restarts the orchestrator (lease lost, state rebuilt) stored job.completed twice for 2 of 195 jobs";
const F12 = "issue 10 finding 12: redelivery waits out the 30 s ack wait";

export const KNOWN_BROKEN: readonly KnownBroken[] = [
  { scenario: "worker-kills", figure: "redelivery p90 s", why: F12 },
  { scenario: "nats-restarts", figure: "failed tasks", why: F5 },
  { scenario: "cluster-leader", figure: "failed tasks", why: F5 },
  { scenario: "dispatch-outage", figure: "stuck", why: F3 },
  { scenario: "poison", figure: "fresh jobs not ended 60 s after the poison", why: F1 },
  { scenario: "poison", figure: "tasks started while stopped (after garbage resume)", why: F1 },
  { scenario: "poison", figure: "stuck", why: F2 },
  { scenario: "poison", figure: "cancelled job not ended", why: F2 },
  { scenario: "poison", figure: "fail-once tasks never retried to completion", why: F2 },
  { scenario: "nats-restarts", figure: "completed twice", why: TWICE },
  { scenario: "hostile-http", figure: "submissions with bad validator params accepted", why: PARAMS },
];

/** Why this figure of this scenario is known to break, if it is. */
export function knownBroken(
  scenario: string,
  figure: string,
  known: readonly KnownBroken[] = KNOWN_BROKEN,
): string | undefined {
  return known.find((k) => k.scenario === scenario && k.figure === figure)?.why;
}
