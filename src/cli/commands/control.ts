// `agents stop [--reason R]`, `agents resume [--reason R]`, `agents cancel ID [--reason R]`,
// `agents pause QUEUE [--reason R]`, `agents unpause QUEUE`, `agents retry TASK [--reason R]`.
import { loadConfig } from "../../config/index.ts";
import { QueueName } from "../../core/events/index.ts";
import { parseCommand } from "../args.ts";
import { call, targetFromConfig } from "../client.ts";
import { Exit, usage } from "../exit.ts";
import { printJson } from "../format.ts";

type Published = { subject: string; seq: number };
export type ControlVerb = "stop" | "resume" | "cancel" | "retry" | "pause" | "unpause";

const USAGES: Record<ControlVerb, string> = {
  stop: "usage: agents stop [--reason R] [--json]",
  resume: "usage: agents resume [--reason R] [--json]",
  cancel: "usage: agents cancel ID [--reason R] [--json]",
  retry: "usage: agents retry TASK [--reason R] [--json]",
  pause: `usage: agents pause ${QueueName.options.join("|")} [--reason R] [--json]`,
  unpause: `usage: agents unpause ${QueueName.options.join("|")} [--json]`,
};

/** The route a verb posts to, or a usage error when its operand is missing or wrong. */
function pathFor(verb: ControlVerb, positionals: string[]): string {
  const [operand, ...rest] = positionals;
  const takesOperand = verb === "cancel" || verb === "retry" || verb === "pause" || verb === "unpause";
  if (takesOperand ? !operand || rest.length > 0 : positionals.length > 0) throw usage(USAGES[verb]);
  switch (verb) {
    case "stop":
    case "resume":
      return `/v1/agents/control/${verb}`;
    case "cancel":
      return `/v1/agents/${encodeURIComponent(operand as string)}/cancel`;
    case "retry":
      return `/v1/agents/tasks/${encodeURIComponent(operand as string)}/retry`;
    case "pause":
    case "unpause": {
      const queue = QueueName.safeParse(operand);
      if (!queue.success)
        throw usage(`queue: one of ${QueueName.options.join(", ")} (got "${operand}")\n${USAGES[verb]}`);
      return `/v1/agents/queues/${queue.data}/${verb}`;
    }
    default: {
      const never: never = verb;
      throw usage(`unknown control verb ${String(never)}`);
    }
  }
}

/** Publish stop, resume, cancel, retry, pause or unpause through the gateway. */
export async function runControl(verb: ControlVerb, args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    { reason: { type: "string", short: "r" }, json: { type: "boolean", default: false } },
    USAGES[verb],
  );
  const path = pathFor(verb, positionals);
  if (verb === "unpause" && values.reason) throw usage(`unpause takes no --reason\n${USAGES.unpause}`);
  const id = verb === "stop" || verb === "resume" ? undefined : positionals[0];
  const body = values.reason ? { reason: values.reason } : {};
  const res = await call<Published>(targetFromConfig(loadConfig()), "POST", path, { body });
  if (values.json) printJson(res);
  else
    process.stdout.write(
      `${verb}${id ? ` ${id}` : ""}: published on ${res.subject} (stream sequence ${res.seq})\n`,
    );
  return Exit.Ok;
}
