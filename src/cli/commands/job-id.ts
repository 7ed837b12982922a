// `agents job-id KEY [--json]`: the job id a job key names, derived here exactly as the orchestrator
// and the gateway derive it (src/core/ids.ts; docs/job-ids.md), so a script can know it up front.
import { jobIdFor } from "../../core/ids.ts";
import { parseCommand } from "../args.ts";
import { Exit, usage } from "../exit.ts";
import { printJson } from "../format.ts";

const USAGE = "usage: agents job-id KEY [--json]   (KEY: the submission's idempotency_key)";

/** Print the job id of a job key; no gateway or NATS is needed. */
export async function runJobId(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, { json: { type: "boolean", default: false } }, USAGE);
  const [key, ...rest] = positionals;
  if (key === undefined || rest.length > 0) throw usage(USAGE);
  if (key.length < 1 || key.length > 200) throw usage(`KEY: 1 to 200 characters (got ${key.length})`);
  const job_id = jobIdFor(key);
  if (values.json) printJson({ idempotency_key: key, job_id });
  else process.stdout.write(`${job_id}\n`);
  return Exit.Ok;
}
