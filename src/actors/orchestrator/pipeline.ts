// Send one decision's commands together: appends on different subjects (and work items) are in
// flight at once, while the appends on one subject go out one after another, each only once the
// one before it was stored, so a subject's expected-sequence chain stays serial.
import type { Command } from "../../core/orchestrator/index.ts";

/** What became of one command. */
export type Sent<R> =
  | { kind: "done"; result: R }
  | { kind: "failed"; error: unknown }
  /** Not sent: an earlier command on the same subject failed (lost its race, say). */
  | { kind: "blocked" };

/** Commands in flight at once by default (a cancelled job with many tasks must not open thousands). */
export const MAX_IN_FLIGHT = 64;

/** Which commands must go one after another: the appends on one subject; a work item is on its own. */
function chainKey(c: Command, i: number): string {
  return c.kind === "append" ? `append:${c.subject}` : `dispatch:${i}`;
}

/**
 * Run `send` for every command, chained per subject and otherwise concurrent (at most `maxInFlight`
 * chains at once); resolves when every command settled, with the outcomes in the commands' order.
 * It never rejects: failures are outcomes, so the caller can first take in what was stored.
 */
export async function sendAll<R>(
  commands: readonly Command[],
  send: (c: Command) => Promise<R>,
  maxInFlight = MAX_IN_FLIGHT,
): Promise<Array<Sent<R>>> {
  const out: Array<Sent<R>> = commands.map(() => ({ kind: "blocked" }));
  const chains = new Map<string, number[]>();
  for (const [i, c] of commands.entries()) {
    const key = chainKey(c, i);
    const chain = chains.get(key);
    if (chain) chain.push(i);
    else chains.set(key, [i]);
  }
  const pending = [...chains.values()];
  const runChain = async (chain: number[]) => {
    for (const i of chain) {
      const c = commands[i] as Command;
      try {
        out[i] = { kind: "done", result: await send(c) };
      } catch (error) {
        out[i] = { kind: "failed", error };
        return; // the rest of this subject's chain stays unsent ("blocked")
      }
    }
  };
  const worker = async () => {
    for (let chain = pending.shift(); chain; chain = pending.shift()) await runChain(chain);
  };
  await Promise.all(Array.from({ length: Math.min(maxInFlight, pending.length) }, worker));
  return out;
}
