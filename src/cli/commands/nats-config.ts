// `agents nats-config [--worker NAME=QUEUES]… [--nkey USER=PUBLIC_KEY]… [--out FILE]`: print the
// nats-server authorization block (one user per role, least permissions). deploy/nats/auth.conf is
// its output with no options. `--passwords` prints fresh passwords for them as .env lines instead.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { QueueName } from "../../core/events/index.ts";
import { DEFAULT_USERS, Role, type UserSpec } from "../../nats/permissions.ts";
import { type AuthUser, authorizationConfig, passwordVariable } from "../../nats/server-config.ts";
import { Exit, usage } from "../exit.ts";

const USAGE =
  "usage: agents nats-config [--worker NAME=QUEUE[,QUEUE…]]… [--nkey USER=PUBLIC_KEY]… [--passwords] [--out FILE]";

/**
 * A password the server can read from its environment: nats-server parses the value as a config
 * value, so it must start with a letter (digits first would make it a number) and hold no quotes.
 */
export function newPassword(): string {
  return `p${randomBytes(24).toString("hex")}`;
}

/** `NATS_<USER>_PASSWORD=…` lines for the users that authenticate with a password. */
function passwordLines(users: readonly AuthUser[]): string {
  const lines = users
    .filter((u) => u.credential.kind === "password_env")
    .map((u) => `${passwordVariable(u.user)}=${newPassword()}`);
  return `${lines.join("\n")}\n`;
}

/** Worker users from `NAME=standard,heavy` options (they replace the default worker and critic). */
function workerUsers(specs: string[]): UserSpec[] {
  return specs.map((spec) => {
    const [name, list, ...rest] = spec.split("=");
    const queues = (list ?? "").split(",").map((q) => q.trim());
    const parsed = queues.map((q) => QueueName.safeParse(q));
    if (!name || rest.length > 0 || parsed.some((p) => !p.success))
      throw usage(
        `--worker ${spec}: expected NAME=QUEUE[,QUEUE…] with queues ${QueueName.options.join(", ")}`,
      );
    return { user: name, role: Role.worker, queues: queues as QueueName[] };
  });
}

/** Users as the options say: the defaults, or the named workers instead of the default ones. */
export function usersFromOptions(workers: string[], nkeys: string[]): AuthUser[] {
  const base = DEFAULT_USERS.filter((u) => workers.length === 0 || u.role !== Role.worker);
  const users = [...base, ...workerUsers(workers)];
  const keys = new Map<string, string>();
  for (const spec of nkeys) {
    const [user, key, ...rest] = spec.split("=");
    if (!user || !key || rest.length > 0 || !/^U[A-Z2-7]{55}$/.test(key))
      throw usage(`--nkey ${spec}: expected USER=PUBLIC_KEY (a user public key: U and 55 characters)`);
    if (!users.some((u) => u.user === user)) throw usage(`--nkey ${spec}: there is no user "${user}"`);
    keys.set(user, key);
  }
  return users.map((u) => {
    const key = keys.get(u.user);
    return {
      ...u,
      credential: key
        ? { kind: "nkey", publicKey: key }
        : { kind: "password_env", variable: passwordVariable(u.user) },
    };
  });
}

/** Print (or write) the authorization block. */
export async function runNatsConfig(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      worker: { type: "string", multiple: true, default: [] },
      nkey: { type: "string", multiple: true, default: [] },
      passwords: { type: "boolean", default: false },
      out: { type: "string" },
    },
  });
  if (positionals.length > 0) throw usage(USAGE);
  const users = usersFromOptions(values.worker, values.nkey);
  const text = values.passwords ? passwordLines(users) : authorizationConfig(users);
  if (values.out) {
    await writeFile(values.out, text);
    process.stderr.write(`wrote ${values.out}\n`);
  } else process.stdout.write(text);
  return Exit.Ok;
}
