// `agents stop [--reason R]`, `agents resume [--reason R]`, `agents cancel ID [--reason R]`,
// `agents retry TASK [--reason R]`.
import { parseArgs } from "node:util";
import { loadConfig } from "../../config/index.ts";
import { call, targetFromConfig } from "../client.ts";
import { Exit, usage } from "../exit.ts";
import { printJson } from "../format.ts";

type Published = { subject: string; seq: number };

const PATHS = {
  stop: () => "/v1/agents/control/stop",
  resume: () => "/v1/agents/control/resume",
  cancel: (id: string) => `/v1/agents/${encodeURIComponent(id)}/cancel`,
  retry: (id: string) => `/v1/agents/tasks/${encodeURIComponent(id)}/retry`,
} as const;

/** Publish stop, resume, cancel or retry through the gateway. */
export async function runControl(verb: keyof typeof PATHS, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { reason: { type: "string", short: "r" }, json: { type: "boolean", default: false } },
  });
  const [id, ...rest] = positionals;
  const takesId = verb === "cancel" || verb === "retry";
  if (takesId ? !id || rest.length > 0 : positionals.length > 0)
    throw usage(
      takesId
        ? `usage: agents ${verb} ${verb === "retry" ? "TASK" : "ID"} [--reason R] [--json]`
        : `usage: agents ${verb} [--reason R] [--json]`,
    );
  const path = PATHS[verb](id ?? "");
  const body = values.reason ? { reason: values.reason } : {};
  const res = await call<Published>(targetFromConfig(loadConfig()), "POST", path, { body });
  if (values.json) printJson(res);
  else
    process.stdout.write(
      `${verb}${id ? ` ${id}` : ""}: published on ${res.subject} (stream sequence ${res.seq})\n`,
    );
  return Exit.Ok;
}
