// `agents stop [--reason R]`, `agents resume [--reason R]`, `agents cancel ID [--reason R]`.
import { parseArgs } from "node:util";
import { loadConfig } from "../../config/index.ts";
import { call, targetFromConfig } from "../client.ts";
import { Exit, usage } from "../exit.ts";
import { printJson } from "../format.ts";

type Published = { subject: string; seq: number };

/** Publish stop, resume or cancel through the gateway. */
export async function runControl(verb: "stop" | "resume" | "cancel", args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { reason: { type: "string", short: "r" }, json: { type: "boolean", default: false } },
  });
  const [id, ...rest] = positionals;
  if (verb === "cancel" ? !id || rest.length > 0 : positionals.length > 0)
    throw usage(
      verb === "cancel"
        ? "usage: agents cancel ID [--reason R] [--json]"
        : `usage: agents ${verb} [--reason R] [--json]`,
    );
  const path = verb === "cancel" ? `/v1/agents/${id}/cancel` : `/v1/agents/control/${verb}`;
  const body = values.reason ? { reason: values.reason } : {};
  const res = await call<Published>(targetFromConfig(loadConfig()), "POST", path, { body });
  if (values.json) printJson(res);
  else
    process.stdout.write(
      `${verb}${id ? ` ${id}` : ""}: published on ${res.subject} (stream sequence ${res.seq})\n`,
    );
  return Exit.Ok;
}
