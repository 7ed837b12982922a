// Command-line options of `npm run chaos`.
import { parseArgs } from "node:util";

export type ChaosOptions = {
  quick: boolean;
  keep: boolean;
  /** Scenario names to run, in the suite's order; empty: all. */
  only: string[];
  json: string | undefined;
};

const HELP = `npm run chaos -- [options]
  --quick        the small size (a few minutes; what CI runs); default: the full size (~20 minutes)
  --only a,b     run only these scenarios (names below)
  --keep         keep every scenario's folder (logs, agent runs); broken scenarios always keep theirs
  --json FILE    also write every figure as JSON
Exit code: 0 when every must-hold figure held, 1 when one broke, 2 on a usage error.`;

/** Parse argv; prints help (with the scenario list) and exits on --help. */
export function parseOptions(
  argv: string[],
  scenarios: ReadonlyArray<{ name: string; what: string }>,
): ChaosOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean" },
      keep: { type: "boolean" },
      only: { type: "string" },
      json: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    const list = scenarios.map((s) => `  ${s.name.padEnd(20)} ${s.what}`).join("\n");
    process.stdout.write(`${HELP}\n\nscenarios:\n${list}\n`);
    process.exit(0);
  }
  const names = new Set(scenarios.map((s) => s.name));
  const only = (values.only ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of only)
    if (!names.has(n)) throw new UsageError(`--only: unknown scenario "${n}" (${[...names].join(", ")})`);
  return { quick: values.quick === true, keep: values.keep === true, only, json: values.json };
}

export class UsageError extends Error {}
