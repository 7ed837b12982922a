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

const PARAMS =
  "found by this suite, not yet fixed: a validator's params are checked only when a task runs it, so a submission naming regex without a pattern is accepted and every attempt then fails";
const TWICE =
  "found by this suite with the fixes for findings 1, 2, 3, 5 and 12 applied: after nats-server restarts the orchestrator (lease lost, state rebuilt) stored job.completed twice for 2 of 195 jobs";

export const KNOWN_BROKEN: readonly KnownBroken[] = [
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
