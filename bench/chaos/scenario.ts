// What a scenario is, and the frame every scenario runs in: a fresh stack, its report, and the
// stack's folder kept (logs, agent runs) when a must-hold figure broke, so it can be looked at.
import { errorMessage } from "../../src/core/errors.ts";
import { ScenarioReport } from "./figures.ts";
import { say } from "./say.ts";
import { type ChaosStack, type StackOptions, startChaosStack } from "./stack.ts";

export type RunOptions = {
  /** The small size (for CI), instead of the full one. */
  quick: boolean;
  /** Keep every stack's folder, not only those of broken scenarios. */
  keep: boolean;
};

export type Scenario = {
  name: string;
  /** One line: what it does to the system. */
  what: string;
  run(o: RunOptions): Promise<ScenarioReport>;
};

/** Run `body` on a fresh stack; a throw becomes a broken figure, and a broken scenario keeps its folder. */
export async function onStack(
  name: string,
  o: RunOptions,
  stackOptions: StackOptions,
  body: (stack: ChaosStack, r: ScenarioReport) => Promise<void>,
): Promise<ScenarioReport> {
  const r = new ScenarioReport(name);
  const t0 = Date.now();
  let stack: ChaosStack | undefined;
  try {
    stack = await startChaosStack(name, stackOptions);
    await body(stack, r);
  } catch (err) {
    r.zero("scenario errors", 1);
    r.note(`the scenario could not finish: ${errorMessage(err)}`);
    say(name, `failed: ${errorMessage(err)}`);
  }
  if (stack) {
    const errors = stack.actors.reduce((n, a) => n + a.errors, 0);
    r.info("actor error log lines", errors);
    const sample = stack.actors.flatMap((a) => a.lastErrors.map((l) => `${a.name}: ${l}`)).slice(-3);
    for (const l of sample) r.note(`error logged: ${l}`);
    const kept = await stack.stop(o.keep || r.broken.length + r.knownBroken.length > 0);
    if (kept) r.note(`logs and agent runs kept in ${kept}`);
  }
  r.durationMs = Date.now() - t0;
  return r;
}

/** The size for this run. */
export function sized<T>(o: RunOptions, sizes: { full: T; quick: T }): T {
  return o.quick ? sizes.quick : sizes.full;
}
