// The configuration of the commands that run parts of the stack (`up`, `worker`): `--demo` fills in
// the demo's echo executor settings (config DEMO_ENV) where the environment leaves them unset.
import { type Config, loadConfig, loadDemoConfig } from "../../config/index.ts";
import { parseCommand } from "../args.ts";
import { usage } from "../exit.ts";

/** The configuration `up` and `worker` run with: `--demo` fills in the demo's echo settings. */
export function stackConfig(args: string[], usageText: string): Config {
  const { values, positionals } = parseCommand(
    args,
    { demo: { type: "boolean", default: false } },
    usageText,
  );
  if (positionals.length > 0) throw usage(usageText);
  return values.demo ? loadDemoConfig() : loadConfig();
}
