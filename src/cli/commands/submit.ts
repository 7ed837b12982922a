// `agents submit SPEC_FILE --count N|infinite [--model M] [--budget USD] [--priority P] …`
import { readFile } from "node:fs/promises";
import { loadConfig } from "../../config/index.ts";
import { countOption, intOption, parseCommand } from "../args.ts";
import { call, targetFromConfig } from "../client.ts";
import { Exit, usage } from "../exit.ts";
import { invocation, printJson } from "../format.ts";

export const SUBMIT_USAGE = `usage: agents submit SPEC_FILE --count N|infinite [--model M] [--budget USD]
                     [--priority P] [--max-iterations N] [--queue standard|heavy] [--key KEY] [--json]
  SPEC_FILE "-" reads the spec from stdin. --key is the idempotency key (same key: same job).`;

type Accepted = {
  job_id: string;
  task_ids: string[];
  duplicate: boolean;
  status_url: string;
  /** Set while an emergency stop is in force. */
  warning?: string;
};

async function readSpec(file: string): Promise<string> {
  if (file !== "-")
    return readFile(file, "utf8").catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") throw usage(`no such file: ${file}`);
      if (err.code === "EISDIR") throw usage(`${file} is a folder; give the spec file (or - for stdin)`);
      throw usage(`cannot read ${file}: ${err.code === "EACCES" ? "permission denied" : err.message}`);
    });
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Read the spec file and submit it; prints the job id and its first tasks. */
export async function runSubmit(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    {
      count: { type: "string", short: "n" },
      model: { type: "string", short: "m" },
      budget: { type: "string" },
      priority: { type: "string" },
      "max-iterations": { type: "string" },
      queue: { type: "string" },
      key: { type: "string" },
      json: { type: "boolean", default: false },
    },
    SUBMIT_USAGE,
  );
  const [file, ...rest] = positionals;
  if (!file || rest.length > 0) throw usage(SUBMIT_USAGE);
  if (!values.count) throw usage(`--count is required\n${SUBMIT_USAGE}`);
  const count = countOption(values.count);
  const budget = values.budget === undefined ? undefined : Number(values.budget);
  if (budget !== undefined && !(budget > 0))
    throw usage(`--budget: a positive number of USD (got "${values.budget}")`);
  const body = {
    spec: await readSpec(file),
    count,
    ...(values.model ? { model: values.model } : {}),
    ...(budget !== undefined ? { budget_usd: budget } : {}),
    ...(values.priority !== undefined ? { priority: intOption("priority", values.priority, -500, 500) } : {}),
    ...(values["max-iterations"] !== undefined
      ? { max_iterations: intOption("max-iterations", values["max-iterations"], 1, 100_000) }
      : {}),
    ...(values.queue ? { queue: values.queue } : {}),
  };
  const t = targetFromConfig(loadConfig());
  const headers = values.key ? { "idempotency-key": values.key } : undefined;
  const res = await call<Accepted>(t, "POST", "/v1/agents/submit", { body, ...(headers ? { headers } : {}) });
  if (res.warning) process.stderr.write(`agents: warning: ${res.warning}\n`);
  if (values.json) printJson(res);
  else {
    process.stdout.write(
      [
        `${res.duplicate ? "already submitted" : "submitted"}: job ${res.job_id}`,
        `  first tasks: ${res.task_ids.join(", ")}`,
        `  follow: ${invocation()} watch ${res.job_id}    result: ${invocation()} result ${res.job_id}`,
        "",
      ].join("\n"),
    );
  }
  return Exit.Ok;
}
