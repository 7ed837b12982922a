// `agents auth setup` stores Claude credentials where workers read them (AGENTS_CLAUDE_AUTH_DIR);
// `agents auth status` prints what the workers report about theirs. The token is read from stdin or a
// prompt that does not echo, never from the command line: argv shows in `ps` and in shell history.
// Nothing printed holds a secret: what was stored is named by its kind and expiry.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { loadConfig } from "../../config/index.ts";
import {
  CredentialsShapeError,
  META_FILE,
  SETUP_TOKEN_DAYS,
  StoredMeta,
  storeCredentialsFile,
  storeToken,
} from "../../executors/claude-auth-dir.ts";
import { parseCommand } from "../args.ts";
import { call, targetFromConfig } from "../client.ts";
import { CliError, Exit, usage } from "../exit.ts";
import { printJson, table } from "../format.ts";

const USAGE = `usage: agents auth setup [--credentials-file PATH] [--token-days N] [--json]
       agents auth status [--json]
  setup   stores a token from \`claude setup-token\` (read from stdin, or asked for without echo) or a
          copy of a .credentials.json in AGENTS_CLAUDE_AUTH_DIR (files 0600, directory 0700)
  status  what the workers report about their executors' credentials (through the gateway)`;

type Executor = {
  route: string;
  executor: string;
  available: boolean;
  auth: { state: string; detail: string; checked_at: string; method?: string; expires_at?: string | null };
};
type Health = {
  workers?: { live: number; error?: string; list: Array<{ worker_id: string; executors: Executor[] }> };
};

/** `agents auth setup|status`. */
export async function runAuth(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "setup") return setup(rest);
  if (sub === "status") return status(rest);
  throw usage(USAGE);
}

async function setup(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    {
      "credentials-file": { type: "string" },
      "token-days": { type: "string" },
      json: { type: "boolean", default: false },
    },
    USAGE,
  );
  if (positionals.length > 0)
    throw usage(
      "agents auth setup takes no token on the command line (it would show in ps and in shell history): pipe it on stdin or paste it when asked",
    );
  const dir = loadConfig().AGENTS_CLAUDE_AUTH_DIR;
  if (!dir) throw usage("set AGENTS_CLAUDE_AUTH_DIR to the directory workers read Claude credentials from");
  const days = values["token-days"] === undefined ? SETUP_TOKEN_DAYS : Number(values["token-days"]);
  if (!Number.isInteger(days) || days < 1 || days > 3650)
    throw usage("--token-days must be a whole number of days from 1 to 3650");
  const file = values["credentials-file"];
  let meta: StoredMeta;
  try {
    if (file !== undefined) {
      const text = await readFile(file, "utf8").catch((err: NodeJS.ErrnoException) => {
        throw new CliError(
          `cannot read --credentials-file ${file}: ${err.code ?? err.message}`,
          Exit.Failure,
        );
      });
      meta = await storeCredentialsFile(dir, text);
    } else {
      const token = process.stdin.isTTY
        ? await promptHidden("Paste the token `claude setup-token` printed (it is not shown): ")
        : await readStdin();
      meta = await storeToken(dir, token, new Date(), days);
    }
  } catch (err) {
    if (err instanceof CredentialsShapeError) throw new CliError(`not stored: ${err.message}`, Exit.Usage);
    throw err;
  }
  if (values.json) printJson({ dir, ...meta });
  else {
    const expiry =
      meta.kind === "oauth_token"
        ? `expires by ${meta.expires_at} (stored + ${days} days, the lifetime \`claude setup-token\` gives its tokens)`
        : `its access token expires ${meta.expires_at} (the Claude CLI renews it with the refresh token)`;
    process.stdout.write(`stored ${meta.kind} in ${dir} at ${meta.stored_at}; ${expiry}\n`);
  }
  return Exit.Ok;
}

async function status(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, { json: { type: "boolean", default: false } }, USAGE);
  if (positionals.length > 0) throw usage(USAGE);
  const config = loadConfig();
  const health = await call<Health>(targetFromConfig(config), "GET", "/health");
  const stored = config.AGENTS_CLAUDE_AUTH_DIR ? await storedHere(config.AGENTS_CLAUDE_AUTH_DIR) : undefined;
  const workers = health.workers;
  if (values.json) {
    printJson({ workers: workers ?? null, ...(stored !== undefined ? { stored } : {}) });
    return Exit.Ok;
  }
  if (stored)
    process.stdout.write(
      `stored here: ${stored.kind} at ${stored.stored_at}, expires ${stored.expires_at ?? "unknown"}\n`,
    );
  if (!workers)
    throw new CliError("the gateway did not report workers (is AGENTS_API_KEY set?)", Exit.Failure);
  if (workers.error) throw new CliError(`workers unknown: ${workers.error}`, Exit.Failure);
  const rows = workers.list.flatMap((w) =>
    w.executors
      .filter((e) => e.executor !== "echo")
      .map((e) => [
        w.worker_id,
        e.route,
        e.auth.state,
        e.auth.method ?? "-",
        e.auth.expires_at ?? "unknown",
        e.auth.checked_at,
        e.auth.detail,
      ]),
  );
  process.stdout.write(`workers: ${workers.live} live\n`);
  if (rows.length > 0)
    process.stdout.write(
      `${table(["worker", "route", "state", "method", "expires", "checked", "detail"], rows)}\n`,
    );
  return Exit.Ok;
}

/** stored.json of the directory this process sees (the writer's), when there is one. */
async function storedHere(dir: string): Promise<StoredMeta | null> {
  return readFile(join(dir, META_FILE), "utf8").then(
    (t) => StoredMeta.safeParse(JSON.parse(t)).data ?? null,
    () => null,
  );
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** One line from the terminal without echoing it. */
async function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  let text = "";
  return new Promise((resolve, reject) => {
    const done = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") {
          done();
          resolve(text);
          return;
        }
        if (ch === "\u0003" || ch === "\u0004") {
          done();
          reject(new CliError("cancelled: nothing stored", Exit.Failure));
          return;
        }
        text = ch === "\u007f" || ch === "\b" ? text.slice(0, -1) : text + ch;
      }
    };
    stdin.on("data", onData);
  });
}
